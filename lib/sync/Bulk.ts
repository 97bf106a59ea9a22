/**
 * Bulk loading with `COPY FROM STDIN`, the fastest way into PostgreSQL, inside
 * the caller's transaction (so rows, raw payloads and cursor still commit
 * together). COPY cannot upsert and login roles may not create TEMP staging
 * tables (control C07), so `upsertRows` COPYs optimistically and falls back to
 * an `ON CONFLICT` insert only when a key already exists. Rows are streamed to
 * the server in chunks, so memory does not grow with the batch beyond the rows
 * the caller already holds. bench/load.ts measures it against raw COPY.
 */
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Option } from "effect"
import type pg from "pg"
import { from as copyFrom } from "pg-copy-streams"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"

export interface Column {
  readonly name: string
  readonly values: ReadonlyArray<unknown>
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

/** One value in COPY's text format. */
export const copyText = (value: unknown): string => {
  if (value === null || value === undefined) return "\\N"
  if (typeof value === "string") return escape(value)
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (typeof value === "boolean") return value ? "t" : "f"
  if (value instanceof Date) return value.toISOString()
  return escape(JSON.stringify(value))
}
const specials = /[\\\t\n\r]/
const escape = (text: string) =>
  specials.test(text) ? text.replaceAll("\\", "\\\\").replaceAll("\t", "\\t").replaceAll("\n", "\\n").replaceAll("\r", "\\r") : text

const checkShape = (table: string, columns: ReadonlyArray<Column>) => {
  const lengths = new Set(columns.map((c) => c.values.length))
  return lengths.size > 1 ? Effect.dieMessage(`${table}: columns of different lengths`) : Effect.succeed(columns[0]?.values.length ?? 0)
}

/**
 * The pg client under the current transaction. @effect/sql-pg has no COPY, but
 * its transaction connection carries the pooled pg client; we borrow it for the
 * COPY so the rows are part of the same transaction.
 */
const transactionClient = Effect.gen(function*() {
  const current = yield* Effect.serviceOption(SqlClient.TransactionConnection)
  const client = Option.flatMap(current, ([connection]) => Option.fromNullable((connection as unknown as { readonly pg?: pg.PoolClient }).pg))
  if (Option.isNone(client)) {
    return yield* Effect.dieMessage("COPY needs a transaction on a @effect/sql-pg connection: call it inside withTransaction")
  }
  return client.value
})

/** `COPY table (columns) FROM STDIN` of the rows described column-wise, within the caller's transaction. */
export const copyRows = (sql: SqlClient.SqlClient, table: string, columns: ReadonlyArray<Column>) =>
  sql.withTransaction(Effect.gen(function*() {
    const count = yield* checkShape(table, columns)
    if (count === 0) return 0
    const client = yield* transactionClient
    const names = columns.map((c) => quoteIdent(c.name)).join(", ")
    function* lines() {
      const chunk = 2000
      for (let start = 0; start < count; start += chunk) {
        let text = ""
        for (let i = start; i < Math.min(count, start + chunk); i++) {
          for (let c = 0; c < columns.length; c++) text += (c === 0 ? "" : "\t") + copyText(columns[c]!.values[i])
          text += "\n"
        }
        yield text
      }
    }
    yield* Effect.tryPromise({
      try: () => pipeline(Readable.from(lines()), client.query(copyFrom(`COPY ${table} (${names}) FROM STDIN`))),
      catch: (cause) => new SqlError({ cause, message: `COPY into ${table} failed: ${(cause as Error).message}` })
    })
    return count
  }))

/**
 * Inserts or updates rows by their natural key; duplicates within the batch
 * keep the last one. Optimistic: the batch is COPYed under a savepoint, and
 * only when a key already exists (23505) does it roll back and run
 * `INSERT … ON CONFLICT (key) DO UPDATE` instead — new rows, the common case,
 * cost one COPY.
 */
export const upsertRows = (sql: SqlClient.SqlClient, table: string, key: ReadonlyArray<string>, columns: ReadonlyArray<Column>) =>
  sql.withTransaction(Effect.gen(function*() {
    const count = yield* checkShape(table, columns)
    if (count === 0) return 0
    const keyColumns = key.map((name) => columns.find((c) => c.name === name))
    if (keyColumns.some((c) => c === undefined)) return yield* Effect.dieMessage(`${table}: the key (${key.join(", ")}) must be among the columns`)
    const last = new Map<string, number>()
    const keyValues = keyColumns.map((c) => c!.values)
    for (let i = 0; i < count; i++) {
      let k = ""
      for (const values of keyValues) k += `${String(values[i])}\u0000`
      last.set(k, i)
    }
    const keep = last.size === count ? null : [...last.values()].sort((a, b) => a - b)
    const kept = keep === null ? columns : columns.map((c) => ({ name: c.name, values: keep.map((i) => c.values[i]) }))
    // Existing keys: a real upsert, updating rows in place (rows other tables reference stay referenced).
    const merge = Effect.gen(function*() {
      const names = kept.map((c) => quoteIdent(c.name))
      const rest = kept.filter((c) => !key.includes(c.name)).map((c) => quoteIdent(c.name))
      const rows = Array.from({ length: kept[0]!.values.length }, (_, i) => Object.fromEntries(kept.map((c) => [c.name, c.values[i]])))
      const update = rest.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${rest.map((n) => `${n} = EXCLUDED.${n}`).join(", ")}`
      yield* sql.unsafe(
        `INSERT INTO ${table} (${names.join(", ")}) SELECT ${names.join(", ")} FROM json_populate_recordset(NULL::${table}, $1::json)
         ON CONFLICT (${key.map(quoteIdent).join(", ")}) ${update}`,
        [JSON.stringify(rows)]
      )
      return rows.length
    })
    return yield* copyRows(sql, table, kept).pipe(
      Effect.catchIf((error) => isUniqueViolation(error), () => merge)
    )
  }))

const isUniqueViolation = (error: SqlError) => (error.cause as { code?: string } | undefined)?.code === "23505"
