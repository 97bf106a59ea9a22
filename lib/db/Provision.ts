/**
 * Provisioning: roles, databases, schemas, migrations and privileges, brought
 * to the plan idempotently. A second run changes nothing and says so: the
 * report is the difference between catalog snapshots taken before and after.
 *
 * Roles and each database's contents change inside transactions; CREATE
 * DATABASE cannot, and is safe to re-run.
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type ConfigError, Effect, Redacted } from "effect"
import { Cluster } from "./Cluster.ts"
import { Admin } from "./Connections.ts"
import { ProvisionError } from "./errors.ts"
import { Layout, type LayoutShape, type LoginRole, loginRoles, ownerRoles } from "./Layout.ts"
import * as Migrations from "./Migrations.ts"
import { type DatabasePlan, databasePlans, grantStatements } from "./Privileges.ts"
import { ident, literal } from "./Quote.ts"
import * as Scram from "./Scram.ts"
import { firewallHooks } from "../pii/Firewall.ts"
import type { AnyTable } from "../pii/Table.ts"
import { allTables } from "../tables.ts"

/** Settings every session of the assistant's role starts with. */
export interface AssistantDefaults {
  readonly statementTimeout: string
  readonly idleInTransactionTimeout: string
  readonly lockTimeout: string
  readonly connectionLimit: number
}

export const assistantDefaults: AssistantDefaults = {
  statementTimeout: "5s",
  idleInTransactionTimeout: "15s",
  lockTimeout: "1s",
  connectionLimit: 3
}

/** The stored per-role settings (pg_db_role_setting) the assistant's role must have. */
export const assistantRoleSettings = (defaults: AssistantDefaults = assistantDefaults) => [
  "default_transaction_read_only=on",
  `statement_timeout=${defaults.statementTimeout}`,
  `idle_in_transaction_session_timeout=${defaults.idleInTransactionTimeout}`,
  `lock_timeout=${defaults.lockTimeout}`,
  "search_path=warehouse"
]

/** Connection limits per login role: the assistant low, the rest bounded. */
export const connectionLimits: Record<LoginRole, number> = {
  hub_rw: 20,
  app_rw: 40,
  warehouse_writer: 10,
  mcp_ro: assistantDefaults.connectionLimit,
  backup_ro: 5
}

/** Extra work in each database's transaction, after grants (the PII firewall's column grants). */
export type DatabaseHook = (
  sql: SqlClient.SqlClient,
  plan: DatabasePlan,
  layout: LayoutShape
) => Effect.Effect<void, ProvisionError | SqlError>

export interface ProvisionReport {
  readonly changes: ReadonlyArray<string>
  readonly migrationsApplied: ReadonlyArray<string>
  readonly databases: ReadonlyArray<string>
}

const step = (database: string, what: string) => (e: SqlError) =>
  new ProvisionError({
    reason: "StepFailed",
    database,
    message: `${what}: ${String((e.cause as Error | undefined)?.message ?? e.message)}`
  })

const run = (sql: SqlClient.SqlClient, database: string, statement: string) =>
  sql.unsafe(statement).pipe(Effect.mapError(step(database, statement.split(" PASSWORD ")[0]!)))

type Snapshot = Map<string, string>

const clusterSnapshot = (sql: SqlClient.SqlClient, roles: ReadonlyArray<string>, databases: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const rows = yield* sql<{ key: string; value: string }>`
      SELECT 'role ' || rolname AS key,
             concat_ws(' ',
               CASE WHEN rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END,
               CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN rolcreatedb THEN 'CREATEDB' END,
               CASE WHEN rolcreaterole THEN 'CREATEROLE' END, CASE WHEN rolreplication THEN 'REPLICATION' END,
               CASE WHEN rolbypassrls THEN 'BYPASSRLS' END, CASE WHEN NOT rolinherit THEN 'NOINHERIT' END,
               'CONNECTION LIMIT ' || rolconnlimit) AS value
        FROM pg_roles WHERE rolname = ANY(${roles})
      UNION ALL
      SELECT 'membership ' || m.rolname || ' in ' || g.rolname, 'granted'
        FROM pg_auth_members am JOIN pg_roles m ON m.oid = am.member JOIN pg_roles g ON g.oid = am.roleid
       WHERE m.rolname = ANY(${roles})
      UNION ALL
      SELECT 'settings of ' || r.rolname || coalesce(' in ' || d.datname, ''), array_to_string(s.setconfig, ', ')
        FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase
       WHERE r.rolname = ANY(${roles})
      UNION ALL
      SELECT 'database ' || datname, 'owner ' || pg_get_userbyid(datdba) || ', acl ' || coalesce(datacl::text, '(default)')
        FROM pg_database WHERE datname = ANY(${databases}) OR datname IN ('postgres', 'template1')`
    const passwords = yield* sql<{ key: string; value: string }>`
      SELECT 'password of ' || rolname AS key, md5(coalesce(rolpassword, '')) AS value
        FROM pg_authid WHERE rolname = ANY(${roles}) AND rolpassword IS NOT NULL`.pipe(Effect.orElseSucceed(() => []))
    return new Map([...rows, ...passwords].map((r) => [r.key, r.value])) as Snapshot
  })

const databaseSnapshot = (sql: SqlClient.SqlClient, database: string) =>
  Effect.gen(function*() {
    const rows = yield* sql<{ key: string; value: string }>`
      WITH ours AS (
        SELECT oid, nspname FROM pg_namespace
         WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema')
      SELECT 'schema ' || nspname AS key, 'owner ' || pg_get_userbyid(nspowner) || ', acl ' || coalesce(nspacl::text, '(default)') AS value
        FROM pg_namespace WHERE oid IN (SELECT oid FROM ours)
      UNION ALL
      SELECT 'relation ' || o.nspname || '.' || c.relname,
             'kind ' || c.relkind::text || ', owner ' || pg_get_userbyid(c.relowner) || ', acl ' || coalesce(c.relacl::text, '(default)')
        FROM pg_class c JOIN ours o ON o.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      UNION ALL
      SELECT 'column ' || o.nspname || '.' || c.relname || '.' || a.attname, a.attacl::text
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ours o ON o.oid = c.relnamespace
       WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL
      SELECT 'default privileges of ' || pg_get_userbyid(d.defaclrole) || coalesce(' in ' || n.nspname, '') || ' on ' || d.defaclobjtype::text,
             d.defaclacl::text
        FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
      UNION ALL
      SELECT 'function ' || p.oid::regprocedure::text, 'acl ' || coalesce(p.proacl::text, '(default)')
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname <> 'information_schema'
         AND (n.nspname <> 'pg_catalog' OR p.proname LIKE 'lo\\_%' OR p.proname IN ('loread', 'lowrite', 'pg_logical_emit_message'))`
    const migrations = yield* sql<{ key: string; value: string }>`
      SELECT 'migration ' || lpad(id::text, 4, '0') || '_' || name AS key, 'applied' AS value FROM ops.schema_migrations`
      .pipe(Effect.orElseSucceed(() => []))
    return new Map([...rows, ...migrations].map((r) => [`${database}: ${r.key}`, r.value])) as Snapshot
  })

const diff = (before: Snapshot, after: Snapshot): Array<string> => {
  const changes: Array<string> = []
  for (const [key, value] of after) {
    const old = before.get(key)
    const secret = key.includes("password of ")
    if (old === undefined) changes.push(secret ? `+ ${key} set` : `+ ${key}: ${value}`)
    else if (old !== value) changes.push(secret ? `~ ${key} changed` : `~ ${key}: ${old} → ${value}`)
  }
  for (const [key, value] of before) {
    if (!after.has(key)) changes.push(`- ${key}: ${value}`)
  }
  return changes.sort()
}

const existingDatabases = (sql: SqlClient.SqlClient, names: ReadonlyArray<string>) =>
  sql<{ datname: string }>`SELECT datname FROM pg_database WHERE datname = ANY(${names})`.pipe(
    Effect.map((rows) => new Set(rows.map((r) => r.datname)))
  )

const provisionRoles = (sql: SqlClient.SqlClient, layout: LayoutShape, password: (role: LoginRole) => Effect.Effect<Redacted.Redacted<string>, ConfigError.ConfigError>) =>
  Effect.gen(function*() {
    const where = "cluster"
    const me = yield* sql<{ rolsuper: boolean; rolname: string }>`
      SELECT rolsuper, rolname FROM pg_roles WHERE rolname = current_user`.pipe(Effect.mapError(step(where, "who am I")))
    const superuser = me[0]?.rolsuper === true
    const existing = yield* sql<{ rolname: string }>`SELECT rolname FROM pg_roles WHERE rolname = ANY(${[...ownerRoles, ...loginRoles].map(layout.role)})`
      .pipe(Effect.mapError(step(where, "list roles")))
    const has = (name: string) => existing.some((r) => r.rolname === name)
    const restricted = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    for (const key of ownerRoles) {
      const name = ident(layout.role(key))
      if (!has(layout.role(key))) yield* run(sql, where, `CREATE ROLE ${name} NOLOGIN`)
      yield* run(sql, where, `ALTER ROLE ${name} NOLOGIN ${restricted} INHERIT CONNECTION LIMIT 0`)
      // A non-superuser admin must be a member to create objects as the owner.
      if (!superuser) yield* run(sql, where, `GRANT ${name} TO CURRENT_USER`)
    }
    const stored = yield* sql<{ rolname: string; rolpassword: string | null }>`
      SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY(${loginRoles.map(layout.role)})`
      .pipe(Effect.orElseSucceed(() => null))
    for (const key of loginRoles) {
      const roleName = layout.role(key)
      const name = ident(roleName)
      const secret = yield* password(key)
      if (Redacted.value(secret).length < 12) {
        return yield* new ProvisionError({
          reason: "StepFailed",
          database: where,
          message: `the password for ${key} is shorter than 12 characters; set a longer one`
        })
      }
      const current = stored?.find((r) => r.rolname === roleName)?.rolpassword ?? null
      if (!has(roleName)) {
        yield* run(sql, where, `CREATE ROLE ${name} LOGIN PASSWORD ${literal(Scram.verifier(secret))}`)
      } else if (stored === null || !Scram.matches(current, secret)) {
        yield* run(sql, where, `ALTER ROLE ${name} PASSWORD ${literal(Scram.verifier(secret))}`)
      }
      yield* run(sql, where, `ALTER ROLE ${name} LOGIN ${restricted} INHERIT CONNECTION LIMIT ${connectionLimits[key]} VALID UNTIL 'infinity'`)
      // No memberships but the one backup_ro needs: revoke whatever else was granted.
      const memberOf = yield* sql<{ rolname: string }>`
        SELECT g.rolname FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid
         WHERE am.member = (SELECT oid FROM pg_roles WHERE rolname = ${roleName})`.pipe(Effect.mapError(step(where, "memberships")))
      for (const group of memberOf) {
        if (key === "backup_ro" && group.rolname === "pg_read_all_data") continue
        yield* run(sql, where, `REVOKE ${ident(group.rolname)} FROM ${name}`)
      }
      yield* run(sql, where, `ALTER ROLE ${name} RESET ALL`)
    }
    yield* run(sql, where, `GRANT pg_read_all_data TO ${ident(layout.role("backup_ro"))}`)
    for (const setting of assistantRoleSettings()) {
      const [variable, value] = setting.split("=") as [string, string]
      yield* run(sql, where, `ALTER ROLE ${ident(layout.role("mcp_ro"))} SET ${variable} = ${literal(value)}`)
    }
  })

const databaseAcls = (sql: SqlClient.SqlClient, layout: LayoutShape, plans: ReadonlyArray<DatabasePlan>) =>
  Effect.gen(function*() {
    const where = "cluster"
    for (const plan of plans) {
      const db = ident(plan.database)
      yield* run(sql, where, `ALTER DATABASE ${db} OWNER TO ${ident(layout.role(plan.owner))}`)
      const grantees = yield* sql<{ grantee: string }>`
        SELECT DISTINCT pg_get_userbyid(a.grantee) AS grantee
          FROM pg_database d, aclexplode(d.datacl) a
         WHERE d.datname = ${plan.database} AND a.grantee <> 0 AND a.grantee <> d.datdba`.pipe(Effect.mapError(step(where, "database acl")))
      const revokeFrom = ["PUBLIC", ...new Set([...loginRoles.map(layout.role), ...grantees.map((g) => g.grantee)])]
        .map((r) => (r === "PUBLIC" ? r : ident(r)))
      yield* run(sql, where, `REVOKE ALL ON DATABASE ${db} FROM ${revokeFrom.join(", ")}`)
      yield* run(sql, where, `GRANT CONNECT ON DATABASE ${db} TO ${plan.connect.map((r) => ident(layout.role(r))).join(", ")}`)
    }
    // The maintenance databases: no one but the admin connects.
    for (const db of ["postgres", "template1"]) {
      yield* run(sql, where, `REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(db)} FROM PUBLIC`)
    }
  })

const provisionDatabase = (sql: SqlClient.SqlClient, plan: DatabasePlan, layout: LayoutShape, hooks: ReadonlyArray<DatabaseHook>) =>
  Effect.gen(function*() {
    const migrations = yield* Migrations.load(plan.kind)
    const applied = yield* sql.withTransaction(
      Effect.gen(function*() {
        yield* run(sql, plan.database, `SET LOCAL ROLE ${ident(layout.role(plan.owner))}`)
        const applied = yield* Migrations.apply(sql, plan.database, migrations)
        yield* run(sql, plan.database, "RESET ROLE")
        const grantees = yield* sql<{ grantee: string }>`
          WITH ours AS (SELECT oid FROM pg_namespace WHERE nspname = ANY(${plan.schemas}))
          SELECT DISTINCT pg_get_userbyid(a.grantee) AS grantee FROM (
            SELECT (aclexplode(nspacl)).grantee FROM pg_namespace WHERE oid IN (SELECT oid FROM ours)
            UNION ALL SELECT (aclexplode(relacl)).grantee FROM pg_class WHERE relnamespace IN (SELECT oid FROM ours)
            UNION ALL SELECT (aclexplode(attacl)).grantee FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                       WHERE c.relnamespace IN (SELECT oid FROM ours)
            UNION ALL SELECT (aclexplode(proacl)).grantee FROM pg_proc WHERE pronamespace IN (SELECT oid FROM ours)
            UNION ALL SELECT (aclexplode(defaclacl)).grantee FROM pg_default_acl
          ) a WHERE a.grantee <> 0`.pipe(Effect.mapError(step(plan.database, "list grantees")))
        const owner = layout.role(plan.owner)
        const strays = [...new Set([...loginRoles.map(layout.role), ...grantees.map((g) => g.grantee)])]
          .filter((r) => r !== owner)
        for (const statement of grantStatements(plan, layout, strays)) yield* run(sql, plan.database, statement)
        for (const hook of hooks) yield* hook(sql, plan, layout)
        return applied
      })
    ).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(step(plan.database, "transaction")(e))))
    return applied
  })

export interface ProvisionOptions {
  /** The table definitions the firewall derives the catalog and grants from (default: all of solohub's). */
  readonly tables?: ReadonlyArray<AnyTable>
  /** More work in each database's transaction. */
  readonly hooks?: ReadonlyArray<DatabaseHook>
}

/** Brings the whole layout to the plan and reports what changed. */
export const provision = (options: ProvisionOptions = {}) =>
  Effect.gen(function*() {
    const admin = yield* Admin
    const layout = yield* Layout
    const cluster = yield* Cluster
    const sql = admin.client
    const plans = databasePlans(layout)
    const roleNames = [...ownerRoles, ...loginRoles].map(layout.role)

    const snapshotAll = Effect.gen(function*() {
      const snapshot = yield* clusterSnapshot(sql, roleNames, layout.databases).pipe(Effect.mapError(step("cluster", "snapshot")))
      const present = yield* existingDatabases(sql, layout.databases).pipe(Effect.mapError(step("cluster", "list databases")))
      for (const plan of plans) {
        if (!present.has(plan.database)) continue
        const part = yield* Effect.scoped(Effect.flatMap(admin.connect(plan.database), (client) =>
          databaseSnapshot(client, plan.database).pipe(Effect.mapError(step(plan.database, "snapshot")))))
        for (const [k, v] of part) snapshot.set(k, v)
      }
      return snapshot
    })

    const before = yield* snapshotAll
    yield* sql.withTransaction(provisionRoles(sql, layout, cluster.password)).pipe(
      Effect.catchTag("SqlError", (e) => Effect.fail(step("cluster", "roles")(e)))
    )
    const present = yield* existingDatabases(sql, layout.databases).pipe(Effect.mapError(step("cluster", "list databases")))
    for (const plan of plans) {
      if (present.has(plan.database)) continue
      yield* run(sql, plan.database, `CREATE DATABASE ${ident(plan.database)} OWNER ${ident(layout.role(plan.owner))} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`)
        .pipe(Effect.catchAll((error) =>
          // Another provisioning run may have created it a moment ago.
          Effect.flatMap(existingDatabases(sql, [plan.database]).pipe(Effect.orElseSucceed(() => new Set<string>())), (now) =>
            now.has(plan.database) ? Effect.void : Effect.fail(error))))
    }
    yield* sql.withTransaction(databaseAcls(sql, layout, plans)).pipe(
      Effect.catchTag("SqlError", (e) => Effect.fail(step("cluster", "database privileges")(e)))
    )
    const migrationsApplied: Array<string> = []
    for (const plan of plans) {
      const applied = yield* Effect.scoped(Effect.flatMap(admin.connect(plan.database), (client) =>
        provisionDatabase(client, plan, layout, [...firewallHooks(options.tables ?? allTables), ...(options.hooks ?? [])])))
      migrationsApplied.push(...applied.map((file) => `${plan.database}: ${file}`))
    }
    const after = yield* snapshotAll
    return { changes: diff(before, after), migrationsApplied, databases: layout.databases } satisfies ProvisionReport
  })

/** Provisions and logs what changed (or that nothing did). */
export const provisionAndReport = (options: ProvisionOptions = {}) =>
  Effect.gen(function*() {
    const report = yield* provision(options)
    for (const file of report.migrationsApplied) yield* Effect.logInfo(`applied migration ${file}`)
    for (const change of report.changes) yield* Effect.logInfo(change)
    yield* Effect.logInfo(
      report.changes.length === 0
        ? `nothing to change: ${report.databases.join(", ")} already match the plan`
        : `provisioned ${report.databases.join(", ")}: ${report.changes.length} changes`
    ).pipe(Effect.annotateLogs({ changes: report.changes.length, migrations: report.migrationsApplied.length }))
    return report
  })
