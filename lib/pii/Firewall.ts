/**
 * The PII firewall's part of provisioning, derived from the table schemas:
 * the catalog mirrored into each database (`ops.pii_catalog`, plus a comment
 * on every PII column for a human with psql), and `mcp_ro`'s column grants —
 * SELECT on the untagged columns of warehouse tables, nothing else.
 *
 * Why a catalog table: the audit and SQL tools can join it against
 * information_schema; SECURITY LABELs need a label provider Postgres does not
 * ship, and comments alone cannot be queried reliably.
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { DatabasePlan } from "../db/Privileges.ts"
import type { DatabaseHook } from "../db/Provision.ts"
import type { LayoutShape } from "../db/Layout.ts"
import { ident, literal } from "../db/Quote.ts"
import type { AnyTable } from "./Table.ts"

/** The schema the assistant may read. */
export const assistantSchema = "warehouse"

/** Columns that exist in the database, keyed `schema.table.column`. */
const existingColumns = (sql: SqlClient.SqlClient) =>
  Effect.map(
    sql<{ key: string }>`
      SELECT n.nspname || '.' || c.relname || '.' || a.attname AS key
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
    (rows) => new Set(rows.map((r) => r.key))
  )

/** The tables of one kind of database. */
export const tablesFor = (tables: ReadonlyArray<AnyTable>, plan: Pick<DatabasePlan, "kind">) =>
  tables.filter((t) => t.database === plan.kind)

/** The columns the assistant may read: untagged columns of warehouse tables in the hub. */
export const assistantColumns = (tables: ReadonlyArray<AnyTable>) =>
  tables
    .filter((t) => t.database === "hub" && t.schema === assistantSchema)
    .map((t) => ({ table: t, columns: t.columns.filter((c) => c.pii === null).map((c) => c.column) }))

const catalogHook = (tables: ReadonlyArray<AnyTable>): DatabaseHook => (sql, plan) =>
  Effect.gen(function*() {
    const mine = tablesFor(tables, plan)
    const rows = mine.flatMap((t) => t.columns.map((c) => [t.schema, t.name, c.column, c.pii] as const))
    yield* sql`DELETE FROM ops.pii_catalog`
    if (rows.length > 0) {
      yield* sql`
        INSERT INTO ops.pii_catalog (schema_name, table_name, column_name, pii_kind)
        SELECT * FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::text[],
                             ${rows.map((r) => r[2])}::text[], ${rows.map((r) => r[3])}::text[])`
    }
    const existing = yield* existingColumns(sql)
    for (const table of mine) {
      for (const column of table.columns) {
        if (column.pii === null || !existing.has(`${table.schema}.${table.name}.${column.column}`)) continue
        yield* sql.unsafe(
          `COMMENT ON COLUMN ${ident(table.schema)}.${ident(table.name)}.${ident(column.column)} IS ${literal(`PII (${column.pii}): personal data; the assistant cannot read it.`)}`
        )
      }
    }
  })

const assistantGrantsHook = (tables: ReadonlyArray<AnyTable>): DatabaseHook => (sql, plan, layout: LayoutShape) =>
  Effect.gen(function*() {
    if (plan.kind !== "hub") return
    const existing = yield* existingColumns(sql)
    const role = ident(layout.role("mcp_ro"))
    for (const { table, columns } of assistantColumns(tables)) {
      const present = columns.filter((c) => existing.has(`${table.schema}.${table.name}.${c}`))
      if (present.length === 0) continue
      yield* sql.unsafe(
        `GRANT SELECT (${present.map(ident).join(", ")}) ON ${ident(table.schema)}.${ident(table.name)} TO ${role}`
      )
    }
  })

/** The hooks provisioning runs in each database's transaction, after the plan's grants. */
export const firewallHooks = (tables: ReadonlyArray<AnyTable>): ReadonlyArray<DatabaseHook> => [
  catalogHook(tables),
  assistantGrantsHook(tables)
]
