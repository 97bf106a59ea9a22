import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as fs from "node:fs"
import { Admin } from "../../lib/db/Connections.ts"
import { Layout, loginRoles } from "../../lib/db/Layout.ts"
import { assistantRoleSettings, provision } from "../../lib/db/Provision.ts"
import { adminOn, as, failureCode, scalar } from "../support/sql.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const env = makeTestEnv({ SOLOHUB_MCP_RO_PASSWORD: `it's a "quoted" pass\\word $1 ;--` })
const provisioned = Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer))

layer(provisioned, { timeout: 120_000, excludeTestServices: true })("provisioning", (it) => {
  const role = (key: (typeof loginRoles)[number]) => Effect.map(Layout, (l) => l.role(key))

  it.effect("creates login roles with none of the dangerous attributes, and NOLOGIN owners", () =>
    Effect.scoped(Effect.gen(function*() {
      const layout = yield* Layout
      const admin = yield* adminOn()
      const rows = yield* admin<{ rolname: string; rolcanlogin: boolean; dangerous: boolean; rolconnlimit: number }>`
        SELECT rolname, rolcanlogin, (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls) AS dangerous,
               rolconnlimit
          FROM pg_roles WHERE rolname LIKE ${layout.namespace + "\\_%"} ORDER BY rolname`
      expect(rows.map((r) => r.rolname).sort()).toEqual(
        ([...loginRoles, "hub_owner", "app_owner"] as const).map(layout.role).sort()
      )
      for (const row of rows) expect(row.dangerous).toBe(false)
      for (const key of loginRoles) expect(rows.find((r) => r.rolname === layout.role(key))?.rolcanlogin).toBe(true)
      expect(rows.find((r) => r.rolname === layout.role("hub_owner"))?.rolcanlogin).toBe(false)
      expect(rows.find((r) => r.rolname === layout.role("mcp_ro"))?.rolconnlimit).toBe(3)
      // SCRAM only: every stored password is a SCRAM verifier.
      const md5 = yield* scalar<string>(admin, `SELECT count(*) FROM pg_authid WHERE rolname LIKE $1 AND rolpassword NOT LIKE 'SCRAM-SHA-256$%'`, [`${layout.namespace}\\_%`])
      expect(md5).toBe("0")
      // Only backup_ro is a member of anything, and only of pg_read_all_data.
      const memberships = yield* admin<{ member: string; grp: string }>`
        SELECT m.rolname AS member, g.rolname AS grp FROM pg_auth_members am
          JOIN pg_roles m ON m.oid = am.member JOIN pg_roles g ON g.oid = am.roleid
         WHERE m.rolname LIKE ${layout.namespace + "\\_%"}`
      expect(memberships).toEqual([{ member: layout.role("backup_ro"), grp: "pg_read_all_data" }])
    })))

  it.effect("every login role logs in with SCRAM, including a password with quotes and backslashes", () =>
    Effect.scoped(Effect.gen(function*() {
      for (const key of loginRoles) {
        if (key === "app_rw") continue
        const sql = yield* as(key)
        expect(yield* scalar<string>(sql, "SELECT current_user")).toBe(yield* role(key))
      }
      const layout = yield* Layout
      const app = yield* as("app_rw", layout.products[0]!.database)
      expect(yield* scalar<string>(app, "SELECT current_user")).toBe(layout.role("app_rw"))
    })))

  it.effect("owner roles own every database, schema and table", () =>
    Effect.scoped(Effect.gen(function*() {
      const layout = yield* Layout
      const admin = yield* adminOn()
      const owners = yield* admin<{ datname: string; owner: string }>`
        SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ANY(${layout.databases})`
      expect(Object.fromEntries(owners.map((o) => [o.datname, o.owner]))).toEqual({
        [layout.hubDatabase]: layout.role("hub_owner"),
        [layout.products[0]!.database]: layout.role("app_owner")
      })
      const foreign = yield* admin<{ name: string }>`
        SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relowner <> ${layout.role("hub_owner")}::regrole
        UNION ALL
        SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')
           AND nspowner <> ${layout.role("hub_owner")}::regrole`
      expect(foreign).toEqual([])
    })))

  it.effect("database privileges: CONNECT only where the brief says, nothing for PUBLIC", () =>
    Effect.scoped(Effect.gen(function*() {
      const layout = yield* Layout
      const admin = yield* adminOn()
      const hub = layout.hubDatabase
      const app = layout.products[0]!.database
      const check = (who: string, db: string, privilege: string) =>
        scalar<boolean>(admin, "SELECT has_database_privilege($1, $2, $3)", [who, db, privilege])
      const expected: Array<[string, string, string, boolean]> = [
        [layout.role("mcp_ro"), hub, "CONNECT", true],
        [layout.role("mcp_ro"), app, "CONNECT", false],
        [layout.role("mcp_ro"), "postgres", "CONNECT", false],
        [layout.role("mcp_ro"), "template1", "CONNECT", false],
        [layout.role("hub_rw"), hub, "CONNECT", true],
        [layout.role("hub_rw"), app, "CONNECT", false],
        [layout.role("app_rw"), app, "CONNECT", true],
        [layout.role("app_rw"), hub, "CONNECT", false],
        [layout.role("warehouse_writer"), hub, "CONNECT", true],
        [layout.role("warehouse_writer"), app, "CONNECT", true],
        [layout.role("backup_ro"), hub, "CONNECT", true],
        [layout.role("backup_ro"), app, "CONNECT", true]
      ]
      for (const [who, db, privilege, want] of expected) {
        expect([who, db, privilege, yield* check(who, db, privilege)]).toEqual([who, db, privilege, want])
      }
      for (const who of loginRoles.map(layout.role)) {
        for (const db of [hub, app]) {
          expect([who, db, yield* check(who, db, "CREATE"), yield* check(who, db, "TEMPORARY")]).toEqual([who, db, false, false])
        }
      }
      // PUBLIC's ACL entries: none on our databases.
      const publicAcl = yield* scalar<string>(admin, `
        SELECT count(*) FROM pg_database d, aclexplode(d.datacl) a
         WHERE d.datname = ANY($1) AND a.grantee = 0`, [[...layout.databases, "postgres", "template1"]])
      expect(publicAcl).toBe("0")
    })))

  it.effect("schema privileges: USAGE as planned, CREATE for no login role, nothing for PUBLIC", () =>
    Effect.scoped(Effect.gen(function*() {
      const layout = yield* Layout
      const admin = yield* adminOn()
      const usage = (who: string, schema: string) =>
        scalar<boolean>(admin, "SELECT has_schema_privilege($1, $2, 'USAGE')", [who, schema])
      const schemas = ["ops", "warehouse", "search", "analytics", "behaviour", "newsletter", "video", "social", "crm", "finance", "public"]
      const plan: Record<string, ReadonlyArray<string>> = {
        hub_rw: ["ops", "search", "analytics", "behaviour", "newsletter", "video", "social", "crm", "finance"],
        warehouse_writer: ["ops", "warehouse", "search", "analytics", "behaviour", "newsletter", "video", "social", "crm", "finance"],
        mcp_ro: ["warehouse"],
        backup_ro: schemas, // pg_read_all_data grants USAGE everywhere
        app_rw: []
      }
      for (const key of loginRoles) {
        for (const schema of schemas) {
          const want = plan[key]!.includes(schema)
          expect([key, schema, yield* usage(layout.role(key), schema)]).toEqual([key, schema, want])
          expect([key, schema, yield* scalar<boolean>(admin, "SELECT has_schema_privilege($1, $2, 'CREATE')", [layout.role(key), schema])])
            .toEqual([key, schema, false])
        }
      }
      const publicAcl = yield* scalar<string>(admin, `
        SELECT count(*) FROM pg_namespace n, aclexplode(n.nspacl) a WHERE a.grantee = 0 AND n.nspname NOT IN ('pg_catalog', 'information_schema')`)
      expect(publicAcl).toBe("0")
    })))

  it.effect("table privileges: writers write their schemas, backup_ro and mcp_ro write nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const layout = yield* Layout
      const admin = yield* adminOn()
      const has = (key: (typeof loginRoles)[number], table: string, privilege: string) =>
        scalar<boolean>(admin, "SELECT has_table_privilege($1, $2, $3)", [layout.role(key), table, privilege])
      expect(yield* has("hub_rw", "ops.task_runs", "INSERT")).toBe(true)
      expect(yield* has("hub_rw", "ops.schema_migrations", "INSERT")).toBe(false)
      expect(yield* has("warehouse_writer", "ops.task_runs", "SELECT")).toBe(true)
      expect(yield* has("warehouse_writer", "ops.task_runs", "INSERT")).toBe(false)
      expect(yield* has("backup_ro", "ops.task_runs", "SELECT")).toBe(true)
      for (const privilege of ["INSERT", "UPDATE", "DELETE", "TRUNCATE"]) {
        expect(yield* has("backup_ro", "ops.task_runs", privilege)).toBe(false)
        expect(yield* has("mcp_ro", "ops.task_runs", privilege)).toBe(false)
      }
      expect(yield* has("mcp_ro", "ops.task_runs", "SELECT")).toBe(false)
    })))

  it.effect("default privileges make future tables follow the plan (and give mcp_ro nothing)", () =>
    Effect.scoped(Effect.gen(function*() {
      const layout = yield* Layout
      const admin = yield* adminOn()
      yield* admin.withTransaction(Effect.gen(function*() {
        yield* admin.unsafe(`SET LOCAL ROLE "${layout.role("hub_owner")}"`)
        yield* admin.unsafe("CREATE TABLE search.future_table (id int)")
        yield* admin.unsafe("CREATE TABLE warehouse.future_model (id int, note text)")
        yield* admin.unsafe("CREATE FUNCTION ops.future_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'")
      }))
      const has = (key: (typeof loginRoles)[number], table: string, privilege: string) =>
        scalar<boolean>(admin, "SELECT has_table_privilege($1, $2, $3)", [layout.role(key), table, privilege])
      expect(yield* has("hub_rw", "search.future_table", "INSERT")).toBe(true)
      expect(yield* has("warehouse_writer", "search.future_table", "SELECT")).toBe(true)
      expect(yield* has("warehouse_writer", "search.future_table", "INSERT")).toBe(false)
      expect(yield* has("warehouse_writer", "warehouse.future_model", "INSERT")).toBe(true)
      expect(yield* has("mcp_ro", "warehouse.future_model", "SELECT")).toBe(false)
      expect(yield* scalar<boolean>(admin, "SELECT has_column_privilege($1, 'warehouse.future_model', 'id', 'SELECT')", [layout.role("mcp_ro")])).toBe(false)
      expect(yield* scalar<boolean>(admin, "SELECT has_function_privilege($1, 'ops.future_fn()', 'EXECUTE')", [layout.role("mcp_ro")])).toBe(false)
      const defaults = yield* admin<{ role: string; schema: string | null; type: string; acl: string }>`
        SELECT pg_get_userbyid(defaclrole) AS role, n.nspname AS schema, defaclobjtype::text AS type, defaclacl::text AS acl
          FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace WHERE d.defaclnamespace = 0`
      // Globally, functions are not executable by PUBLIC (the acl lists only the owner).
      expect(defaults).toEqual([{ role: layout.role("hub_owner"), schema: null, type: "f", acl: `{${layout.role("hub_owner")}=X/${layout.role("hub_owner")}}` }])
      yield* admin.unsafe("DROP TABLE search.future_table, warehouse.future_model; DROP FUNCTION ops.future_fn()")
    })))

  it.effect("mcp_ro's stored settings: read-only, timeouts, search_path", () =>
    Effect.scoped(Effect.gen(function*() {
      const admin = yield* adminOn()
      const mcp = yield* role("mcp_ro")
      const stored = yield* scalar<Array<string>>(admin, "SELECT setconfig FROM pg_db_role_setting WHERE setrole = $1::regrole", [mcp])
      expect([...stored].sort()).toEqual([...assistantRoleSettings()].sort())
      const sql = yield* as("mcp_ro")
      expect(yield* scalar<string>(sql, "SHOW default_transaction_read_only")).toBe("on")
      expect(yield* scalar<string>(sql, "SHOW statement_timeout")).toBe("5s")
      expect(yield* scalar<string>(sql, "SHOW search_path")).toBe("warehouse")
      expect(yield* failureCode(sql.unsafe("CREATE TEMP TABLE x (a int)"))).toBe("25006")
      // Even a read-write transaction may not create temporary tables: no TEMP on the database.
      const readWrite = sql.withTransaction(
        Effect.zipRight(sql.unsafe("SET TRANSACTION READ WRITE"), sql.unsafe("CREATE TEMP TABLE x (a int)"))
      )
      expect(yield* failureCode(readWrite)).toBe("42501")
    })))

  it.effect("large-object functions and pg_logical_emit_message are not executable by the login roles", () =>
    Effect.scoped(Effect.gen(function*() {
      const admin = yield* adminOn()
      for (const fn of ["lo_create(oid)", "lo_from_bytea(oid, bytea)", "lowrite(integer, bytea)", "pg_logical_emit_message(boolean, text, text)"]) {
        expect([fn, yield* scalar<boolean>(admin, "SELECT has_function_privilege($1, $2, 'EXECUTE')", [yield* role("mcp_ro"), fn])]).toEqual([fn, false])
      }
      const sql = yield* as("mcp_ro")
      expect(yield* failureCode(sql.unsafe("SELECT lo_from_bytea(0, 'x'::bytea)"))).toBe("42501")
    })))

  it.effect("a second run changes nothing and says so", () =>
    Effect.gen(function*() {
      const report = yield* provision()
      expect(report.changes).toEqual([])
      expect(report.migrationsApplied).toEqual([])
    }))

  it.effect("a stray grant made by hand is revoked on the next run, and reported", () =>
    Effect.scoped(Effect.gen(function*() {
      const layout = yield* Layout
      const admin = yield* adminOn()
      yield* admin.unsafe(`GRANT SELECT ON ops.task_runs TO "${layout.role("mcp_ro")}"`)
      yield* admin.unsafe(`GRANT CREATE ON SCHEMA search TO "${layout.role("hub_rw")}"`)
      yield* admin.unsafe(`ALTER ROLE "${layout.role("mcp_ro")}" SET statement_timeout = 0`)
      yield* admin.unsafe(`ALTER ROLE "${layout.role("hub_rw")}" CREATEROLE`)
      const report = yield* provision()
      expect(report.changes.some((c) => c.includes("relation ops.task_runs") && c.includes(`${layout.role("mcp_ro")}=r`))).toBe(true)
      expect(report.changes.some((c) => c.includes("schema search"))).toBe(true)
      expect(report.changes.some((c) => c.startsWith(`~ settings of ${layout.role("mcp_ro")}`))).toBe(true)
      expect(report.changes.some((c) => c.startsWith(`~ role ${layout.role("hub_rw")}`))).toBe(true)
      expect(yield* scalar<boolean>(admin, "SELECT has_table_privilege($1, 'ops.task_runs', 'SELECT')", [layout.role("mcp_ro")])).toBe(false)
      expect(yield* scalar<boolean>(admin, "SELECT rolcreaterole FROM pg_roles WHERE rolname = $1", [layout.role("hub_rw")])).toBe(false)
      expect((yield* provision()).changes).toEqual([])
    })))
})

describe("provisioning, more products and bad input", () => {
  layer(makeTestEnv().layer, { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect("adding a product to configuration and re-running provisions it", () =>
      Effect.gen(function*() {
        const first = makeTestEnv({ SOLOHUB_PRODUCTS: "demo" })
        yield* provision().pipe(Effect.provide(first.layer))
        const second = yield* provision().pipe(
          Effect.provide(makeTestEnvFrom(first.env, { SOLOHUB_PRODUCTS: "demo,heros=heros_journey" }).layer)
        )
        expect(second.migrationsApplied).toEqual(
          fs.readdirSync("sql/product").sort().map((f) => `${first.namespace}_heros_journey: sql/product/${f}`)
        )
        expect(second.changes.some((c) => c.startsWith(`+ database ${first.namespace}_heros_journey`))).toBe(true)
        expect(second.changes.some((c) => c.includes(`${first.namespace}_app_demo:`))).toBe(false)
      }))

    it.effect("wrong admin credentials fail with a clear message", () =>
      Effect.gen(function*() {
        const url = new URL(makeTestEnv().env.SOLOHUB_ADMIN_URL!)
        url.password = "wrong"
        const exit = yield* provision().pipe(Effect.provide(makeTestEnv({ SOLOHUB_ADMIN_URL: url.toString() }).layer), Effect.exit)
        expect(Exit.isFailure(exit)).toBe(true)
        expect(String(exit)).toContain("password authentication failed")
        expect(String(exit)).not.toContain("wrong")
      }))

    it.effect("an unreachable server fails with a clear message", () =>
      Effect.gen(function*() {
        const exit = yield* provision().pipe(
          Effect.provide(makeTestEnv({ SOLOHUB_ADMIN_URL: "postgres://postgres:x@127.0.0.1:1/postgres" }).layer),
          Effect.exit
        )
        expect(String(exit)).toContain("cannot reach PostgreSQL at 127.0.0.1:1")
      }))

    it.effect("a product name that is not an identifier stops before any work, naming the variable", () =>
      Effect.gen(function*() {
        const exit = yield* provision().pipe(Effect.provide(makeTestEnv({ SOLOHUB_PRODUCTS: "demo,Bad-Name" }).layer), Effect.exit)
        expect(String(exit)).toContain("SOLOHUB_PRODUCTS")
        expect(String(exit)).toContain("Bad-Name")
      }))

    it.effect("a missing role password names its variable", () =>
      Effect.gen(function*() {
        const env = { ...makeTestEnv().env }
        delete env.SOLOHUB_BACKUP_RO_PASSWORD
        const exit = yield* provision().pipe(Effect.provide(makeTestEnvFrom(env, {}).layer), Effect.exit)
        expect(String(exit)).toContain("SOLOHUB_BACKUP_RO_PASSWORD")
      }))

    it.effect("the admin layer is what provisioning runs with", () =>
      Effect.map(Admin, (admin) => expect(admin.params.user).toBe("postgres")))
  })
})

import { layerFor } from "../support/TestEnv.ts"
const makeTestEnvFrom = (env: Record<string, string>, extra: Record<string, string>) => ({ layer: layerFor({ ...env, ...extra }) })
