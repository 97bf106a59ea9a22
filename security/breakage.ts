/**
 * One deliberate breakage per check: the statements that break the control,
 * and (for checks about tables) the table definitions to provision with.
 * security/breakage-*.test.ts apply each to a fresh layout and expect the
 * audit to fail with that check's id. A check with no breakage here fails
 * those tests: a check that cannot fail is a defect.
 */
import type { AnyTable } from "../lib/pii/Table.ts"
import { tablesWithLeaks } from "./support.ts"

export interface Breakage {
  readonly check: string
  readonly how: string
  readonly statements: ReadonlyArray<string>
  /** Statements run on the product database instead of the hub. */
  readonly onProduct?: boolean
  readonly tables?: ReadonlyArray<AnyTable>
}

const asOwner = (statement: string) => [`SET ROLE {hub_owner}`, statement, "RESET ROLE"]

const peopleTable = asOwner("CREATE TABLE warehouse.audit_people (person_key text, email text)")

export const breakages: ReadonlyArray<Breakage> = [
  { check: "C01", how: "make a login role CREATEROLE", statements: ["ALTER ROLE {hub_rw} CREATEROLE"] },
  { check: "C02", how: "make mcp_ro a member of an owner role", statements: ["GRANT {hub_owner} TO {mcp_ro}"] },
  { check: "C03", how: "create a table owned by the admin", statements: ["CREATE TABLE search.audit_stray (x int)"] },
  // TEMP, not CONNECT: the test server is shared, and PUBLIC CONNECT would open this hub to other tests' roles.
  { check: "C04", how: "give PUBLIC TEMP on the hub", statements: ["GRANT TEMPORARY ON DATABASE {hub} TO PUBLIC"] },
  { check: "C05", how: "let mcp_ro connect to a product database", statements: ["GRANT CONNECT ON DATABASE {app} TO {mcp_ro}"] },
  { check: "C06", how: "give PUBLIC USAGE on a raw schema", statements: ["GRANT USAGE ON SCHEMA search TO PUBLIC"] },
  { check: "C07", how: "grant CREATE on public to a login role", statements: ["GRANT CREATE ON SCHEMA public TO {hub_rw}"] },
  { check: "C08", how: "grant SELECT on a table to PUBLIC", statements: ["GRANT SELECT ON ops.errors TO PUBLIC"] },
  { check: "C09", how: "give PUBLIC back the large-object functions", statements: ["GRANT EXECUTE ON FUNCTION lo_from_bytea(oid, bytea) TO PUBLIC"] },
  {
    check: "C10",
    how: "default privileges that grant future warehouse tables to mcp_ro",
    statements: ["ALTER DEFAULT PRIVILEGES FOR ROLE {hub_owner} IN SCHEMA warehouse GRANT SELECT ON TABLES TO {mcp_ro}"]
  },
  {
    check: "C11",
    how: "grant a PII column to mcp_ro",
    statements: [...peopleTable, "GRANT SELECT (email) ON warehouse.audit_people TO {mcp_ro}"],
    tables: tablesWithLeaks
  },
  { check: "C12", how: "let mcp_ro use a raw schema", statements: ["GRANT USAGE ON SCHEMA newsletter TO {mcp_ro}"] },
  {
    check: "C13",
    how: "add a definer view over raw data that mcp_ro can read",
    statements: [...asOwner("CREATE VIEW warehouse.audit_leak AS SELECT task, error FROM ops.task_runs"), "GRANT SELECT ON warehouse.audit_leak TO {mcp_ro}"],
    tables: tablesWithLeaks
  },
  {
    check: "C14",
    how: "add a SECURITY DEFINER function mcp_ro may execute",
    statements: [
      ...asOwner("CREATE FUNCTION warehouse.audit_peek() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT count(*) FROM ops.task_runs'"),
      "GRANT EXECUTE ON FUNCTION warehouse.audit_peek() TO {mcp_ro}"
    ]
  },
  { check: "C15", how: "leave a function's search_path unpinned", statements: asOwner("CREATE FUNCTION ops.audit_unpinned() RETURNS int LANGUAGE sql AS 'SELECT 1'") },
  { check: "C16", how: "install an extension in public", statements: ["CREATE EXTENSION citext SCHEMA public"] },
  {
    check: "C17",
    how: "store a login role's password as MD5",
    statements: ["SET password_encryption = 'md5'", "ALTER ROLE {backup_ro} PASSWORD 'an-md5-password-for-the-test'", "RESET password_encryption"]
  },
  // C18 (pg_hba) needs a server of its own: see security/breakage-hba.test.ts.
  { check: "C19", how: "drop mcp_ro's statement timeout", statements: ["ALTER ROLE {mcp_ro} SET statement_timeout = 0"] },
  { check: "C20", how: "add a column no schema knows", statements: ["ALTER TABLE warehouse.data_freshness ADD COLUMN note text"] },
  { check: "C21", how: "edit the catalog by hand", statements: ["UPDATE ops.pii_catalog SET pii_kind = NULL WHERE table_name = 'task_runs' AND column_name = 'task'", "DELETE FROM ops.pii_catalog WHERE table_name = 'errors'"] },
  { check: "C22", how: "define a warehouse table with a raw email", statements: peopleTable, tables: tablesWithLeaks },
  { check: "C23", how: "lift a login role's connection limit", statements: ["ALTER ROLE {hub_rw} CONNECTION LIMIT -1"] },
  // C24's breakage writes the test's own key: see security/breakage-catalog.test.ts.
  { check: "L01", how: "let mcp_ro read ops", statements: ["GRANT USAGE ON SCHEMA ops TO {mcp_ro}", "GRANT SELECT ON ops.task_runs TO {mcp_ro}"] },
  {
    check: "L02",
    how: "grant a PII column to mcp_ro",
    statements: [...peopleTable, "GRANT SELECT (email) ON warehouse.audit_people TO {mcp_ro}"],
    tables: tablesWithLeaks
  },
  { check: "L03", how: "let mcp_ro write a warehouse table", statements: ["GRANT INSERT, UPDATE, DELETE, TRUNCATE ON warehouse.data_freshness TO {mcp_ro}"] },
  { check: "L04", how: "let mcp_ro create in the warehouse", statements: ["GRANT CREATE ON SCHEMA warehouse TO {mcp_ro}"] },
  { check: "L05", how: "let mcp_ro run programs", statements: ["GRANT pg_execute_server_program TO {mcp_ro}"] },
  { check: "L06", how: "let mcp_ro connect to a product database", statements: ["GRANT CONNECT ON DATABASE {app} TO {mcp_ro}"] },
  { check: "L07", how: "let mcp_ro read all statistics", statements: ["GRANT pg_read_all_stats TO {mcp_ro}"] },
  { check: "L08", how: "let mcp_ro read all settings", statements: ["GRANT pg_read_all_settings TO {mcp_ro}"] },
  { check: "L09", how: "let mcp_ro become hub_rw", statements: ["GRANT {hub_rw} TO {mcp_ro}"] },
  { check: "L10", how: "drop mcp_ro's statement timeout", statements: ["ALTER ROLE {mcp_ro} SET statement_timeout = 0"] },
  { check: "L11", how: "let mcp_ro create in the warehouse (a stacked escape then works)", statements: ["GRANT CREATE ON SCHEMA warehouse TO {mcp_ro}"] },
  { check: "L12", how: "deny mcp_ro the whole warehouse", statements: ["REVOKE ALL ON warehouse.data_freshness FROM {mcp_ro}"] }
]
