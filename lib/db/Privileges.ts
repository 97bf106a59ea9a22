/**
 * The privileges each login role holds, as data. Provisioning turns this into
 * REVOKE-then-GRANT statements, so anything granted by hand is removed on the
 * next run; the tests read the catalogs to prove each line.
 */
import type { LayoutShape, LoginRole, OwnerRole } from "./Layout.ts"
import { productSchema, sourceSchemas } from "./Layout.ts"
import { ident } from "./Quote.ts"

export type TablePrivilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE"

export interface SchemaGrant {
  readonly schema: string
  readonly role: LoginRole
  /** Table privileges on every table of the schema (now and future). Empty: USAGE only. */
  readonly tables: ReadonlyArray<TablePrivilege>
  /** Tables of the schema this grant leaves out. */
  readonly except?: ReadonlyArray<string>
}

const write: ReadonlyArray<TablePrivilege> = ["SELECT", "INSERT", "UPDATE", "DELETE"]

/** Which migration set, owner and grants a database gets. */
export interface DatabasePlan {
  readonly database: string
  readonly kind: "hub" | "product"
  readonly owner: OwnerRole
  /** Login roles allowed to CONNECT. */
  readonly connect: ReadonlyArray<LoginRole>
  readonly schemas: ReadonlyArray<string>
  readonly grants: ReadonlyArray<SchemaGrant>
}

/** The hub's schemas, in the order they are listed to humans. */
export const hubSchemas = ["ops", "warehouse", ...sourceSchemas] as const

/** The plan for every database in the layout. */
export const databasePlans = (layout: LayoutShape): ReadonlyArray<DatabasePlan> => [
  {
    database: layout.hubDatabase,
    kind: "hub",
    owner: "hub_owner",
    connect: ["hub_rw", "warehouse_writer", "mcp_ro", "backup_ro"],
    schemas: hubSchemas,
    grants: [
      ...sourceSchemas.map((schema): SchemaGrant => ({ schema, role: "hub_rw", tables: write })),
      { schema: "ops", role: "hub_rw", tables: write, except: ["schema_migrations", "pii_catalog"] },
      ...sourceSchemas.map((schema): SchemaGrant => ({ schema, role: "warehouse_writer", tables: ["SELECT"] })),
      { schema: "warehouse", role: "warehouse_writer", tables: [...write, "TRUNCATE"] },
      { schema: "ops", role: "warehouse_writer", tables: ["SELECT"] },
      // Column-level SELECT for mcp_ro comes from the PII catalog, never from here.
      { schema: "warehouse", role: "mcp_ro", tables: [] }
    ]
  },
  ...layout.products.map((product): DatabasePlan => ({
    database: product.database,
    kind: "product",
    owner: "app_owner",
    connect: ["app_rw", "warehouse_writer", "backup_ro"],
    schemas: ["ops", productSchema],
    grants: [
      { schema: productSchema, role: "app_rw", tables: write },
      { schema: productSchema, role: "warehouse_writer", tables: ["SELECT"] }
    ]
  }))
]

/**
 * Functions PUBLIC may execute by default that work even in a read-only
 * transaction and must not be open to the assistant.
 */
export const revokedPublicFunctions = [
  "lo_create(oid)",
  "lo_creat(integer)",
  "lo_open(oid, integer)",
  "lo_close(integer)",
  "loread(integer, integer)",
  "lowrite(integer, bytea)",
  "lo_lseek(integer, integer, integer)",
  "lo_lseek64(integer, bigint, integer)",
  "lo_tell(integer)",
  "lo_tell64(integer)",
  "lo_truncate(integer, integer)",
  "lo_truncate64(integer, bigint)",
  "lo_unlink(oid)",
  "lo_get(oid)",
  "lo_get(oid, bigint, integer)",
  "lo_put(oid, bigint, bytea)",
  "lo_from_bytea(oid, bytea)",
  "pg_logical_emit_message(boolean, text, text)",
  "pg_logical_emit_message(boolean, text, bytea)"
] as const

/**
 * Statements that bring one database's privileges to the plan. They first
 * revoke everything from every role but the owner, so the result is exactly
 * the plan whatever was granted before.
 */
export const grantStatements = (
  plan: DatabasePlan,
  layout: LayoutShape,
  strayGrantees: ReadonlyArray<string>
): ReadonlyArray<string> => {
  const owner = ident(layout.role(plan.owner))
  const role = (r: LoginRole) => ident(layout.role(r))
  const everyone = ["PUBLIC", ...strayGrantees.map(ident)].join(", ")
  const statements: Array<string> = []
  for (const schema of plan.schemas) {
    const s = ident(schema)
    statements.push(
      `ALTER SCHEMA ${s} OWNER TO ${owner}`,
      `REVOKE ALL ON SCHEMA ${s} FROM ${everyone}`,
      `REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${everyone}`,
      `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM ${everyone}`,
      `REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${s} FROM ${everyone}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${s} REVOKE ALL ON TABLES FROM ${everyone}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${s} REVOKE ALL ON SEQUENCES FROM ${everyone}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${s} REVOKE ALL ON FUNCTIONS FROM ${everyone}`
    )
  }
  // Nothing for PUBLIC in the public schema, and no functions executable by PUBLIC by default.
  statements.push(
    `REVOKE ALL ON SCHEMA public FROM PUBLIC`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`,
    ...revokedPublicFunctions.map((fn) => `REVOKE EXECUTE ON FUNCTION pg_catalog.${fn} FROM PUBLIC`)
  )
  for (const grant of plan.grants) {
    const s = ident(grant.schema)
    statements.push(`GRANT USAGE ON SCHEMA ${s} TO ${role(grant.role)}`)
    if (grant.tables.length === 0) continue
    const privileges = grant.tables.join(", ")
    statements.push(
      `GRANT ${privileges} ON ALL TABLES IN SCHEMA ${s} TO ${role(grant.role)}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${s} GRANT ${privileges} ON TABLES TO ${role(grant.role)}`
    )
    const writes = grant.tables.some((p) => p === "INSERT" || p === "UPDATE")
    if (writes) {
      statements.push(
        `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${s} TO ${role(grant.role)}`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${s} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${role(grant.role)}`
      )
    }
    for (const table of grant.except ?? []) {
      statements.push(`REVOKE ALL ON TABLE ${s}.${ident(table)} FROM ${role(grant.role)}`)
    }
  }
  return statements
}
