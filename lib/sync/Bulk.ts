/**
 * Bulk loading: one `INSERT … SELECT * FROM unnest($1::type[], …)` per batch —
 * one statement and one parameter per column whatever the row count (the
 * 65,535-parameter limit of multi-row VALUES never applies), measured against
 * raw COPY by bench/load.ts.
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export interface Column {
  readonly name: string
  /** The Postgres element type: text, date, bigint, float8, timestamptz, boolean, jsonb… */
  readonly type: string
  readonly values: ReadonlyArray<unknown>
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Inserts the rows described column-wise; `onConflict` is appended verbatim (e.g. `ON CONFLICT (…) DO UPDATE …`). */
export const insertRows = (sql: SqlClient.SqlClient, table: string, columns: ReadonlyArray<Column>, onConflict = "") =>
  Effect.gen(function*() {
    const lengths = new Set(columns.map((c) => c.values.length))
    if (lengths.size > 1) return yield* Effect.dieMessage(`insertRows(${table}): columns of different lengths`)
    if ((columns[0]?.values.length ?? 0) === 0) return 0
    yield* sql.unsafe(
      `INSERT INTO ${table} (${columns.map((c) => quoteIdent(c.name)).join(", ")})
       SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ")}) ${onConflict}`,
      columns.map((c) => c.values)
    )
    return columns[0]!.values.length
  })
