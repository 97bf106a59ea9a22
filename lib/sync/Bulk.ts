/**
 * Bulk loading: one `INSERT … SELECT … FROM json_populate_recordset(NULL::table, $1)`
 * per batch — a single parameter whatever the row count (the 65,535-parameter
 * limit of multi-row VALUES never applies), typed by the table itself.
 * bench/load.ts measures it against raw COPY: JSON is ~1.6× faster here than
 * unnest over typed arrays, whose client-side array encoding dominated.
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export interface Column {
  readonly name: string
  readonly values: ReadonlyArray<unknown>
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Inserts the rows described column-wise; `onConflict` is appended verbatim (e.g. `ON CONFLICT (…) DO UPDATE …`). */
export const insertRows = (sql: SqlClient.SqlClient, table: string, columns: ReadonlyArray<Column>, onConflict = "") =>
  Effect.gen(function*() {
    const lengths = new Set(columns.map((c) => c.values.length))
    if (lengths.size > 1) return yield* Effect.dieMessage(`insertRows(${table}): columns of different lengths`)
    const count = columns[0]?.values.length ?? 0
    if (count === 0) return 0
    const rows = new Array<Record<string, unknown>>(count)
    for (let i = 0; i < count; i++) {
      const row: Record<string, unknown> = {}
      for (const column of columns) row[column.name] = column.values[i]
      rows[i] = row
    }
    const names = columns.map((c) => quoteIdent(c.name)).join(", ")
    yield* sql.unsafe(
      `INSERT INTO ${table} (${names}) SELECT ${names} FROM json_populate_recordset(NULL::${table}, $1::json) ${onConflict}`,
      [JSON.stringify(rows)]
    )
    return count
  })
