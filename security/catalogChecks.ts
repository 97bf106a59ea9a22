/**
 * Catalog checks: read Postgres's catalogs as the admin and compare them with
 * what the layout and the PII schemas say must hold.
 */
import type { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import { loginRoles, ownerRoles } from "../lib/db/Layout.ts"
import { databasePlans, revokedPublicFunctions } from "../lib/db/Privileges.ts"
import { assistantColumns, assistantSchema, tablesFor } from "../lib/pii/Firewall.ts"
import type { AuditEnv, Check } from "./Check.ts"

const systemSchemas = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast%'"

/** Runs `f` on each of the layout's databases that exists; a missing one is a finding. */
const eachDatabase = (env: AuditEnv, f: (sql: PgClient.PgClient, database: string) => Effect.Effect<ReadonlyArray<string>, unknown>) =>
  Effect.gen(function*() {
    const findings: Array<string> = []
    for (const database of env.layout.databases) {
      const sql = yield* env.admin(database).pipe(Effect.either)
      if (sql._tag === "Left") {
        findings.push(`${database}: cannot connect (${sql.left.message}); is the layout provisioned?`)
        continue
      }
      findings.push(...(yield* f(sql.right, database)).map((f) => `${database}: ${f}`))
    }
    return findings
  })

const hub = (env: AuditEnv) => env.admin(env.layout.hubDatabase)

const kindOf = (env: AuditEnv, database: string): "hub" | "product" => (database === env.layout.hubDatabase ? "hub" : "product")

export const catalogChecks: ReadonlyArray<Check> = [
  {
    id: "C01",
    kind: "catalog",
    title: "login roles exist and have no dangerous attribute (SUPERUSER, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS)",
    severity: "critical",
    remediation: "ALTER ROLE <role> NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS, or re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const names = loginRoles.map(env.layout.role)
        const rows = yield* sql<{ rolname: string; attrs: string | null; rolcanlogin: boolean }>`
          SELECT rolname, rolcanlogin, nullif(concat_ws(' ', CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN rolcreatedb THEN 'CREATEDB' END,
                 CASE WHEN rolcreaterole THEN 'CREATEROLE' END, CASE WHEN rolreplication THEN 'REPLICATION' END,
                 CASE WHEN rolbypassrls THEN 'BYPASSRLS' END), '') AS attrs
            FROM pg_roles WHERE rolname = ANY(${names})`
        return [
          ...names.filter((n) => !rows.some((r) => r.rolname === n)).map((n) => `role ${n} does not exist`),
          ...rows.filter((r) => r.attrs !== null).map((r) => `${r.rolname} has ${r.attrs}`),
          ...rows.filter((r) => !r.rolcanlogin).map((r) => `${r.rolname} cannot log in`)
        ]
      })
  },
  {
    id: "C02",
    kind: "catalog",
    title: "login roles are members of no role but backup_ro of pg_read_all_data",
    severity: "critical",
    remediation: "REVOKE <group> FROM <role>; re-run `npm run provision` (it revokes unplanned memberships).",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const rows = yield* sql<{ member: string; grp: string }>`
          SELECT m.rolname AS member, g.rolname AS grp FROM pg_auth_members am
            JOIN pg_roles m ON m.oid = am.member JOIN pg_roles g ON g.oid = am.roleid
           WHERE m.rolname = ANY(${loginRoles.map(env.layout.role)})`
        return rows
          .filter((r) => !(r.member === env.layout.role("backup_ro") && r.grp === "pg_read_all_data"))
          .map((r) => `${r.member} is a member of ${r.grp}`)
      })
  },
  {
    id: "C03",
    kind: "catalog",
    title: "NOLOGIN owner roles own every database, schema, table and function",
    severity: "high",
    remediation: "ALTER … OWNER TO the owner role (hub_owner / app_owner); re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const owners = ownerRoles.map(env.layout.role)
        const roles = yield* sql<{ rolname: string; rolcanlogin: boolean }>`SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY(${owners})`
        const findings = [
          ...owners.filter((o) => !roles.some((r) => r.rolname === o)).map((o) => `owner role ${o} does not exist`),
          ...roles.filter((r) => r.rolcanlogin).map((r) => `owner role ${r.rolname} can log in`)
        ]
        const plans = databasePlans(env.layout)
        const dbOwners = yield* sql<{ datname: string; owner: string }>`
          SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ANY(${env.layout.databases})`
        for (const plan of plans) {
          const found = dbOwners.find((d) => d.datname === plan.database)
          if (found && found.owner !== env.layout.role(plan.owner)) findings.push(`database ${plan.database} is owned by ${found.owner}`)
        }
        findings.push(...(yield* eachDatabase(env, (db, database) => {
          const owner = env.layout.role(plans.find((p) => p.database === database)!.owner)
          return db<{ what: string; owner: string }>`
            SELECT 'schema ' || n.nspname AS what, pg_get_userbyid(n.nspowner) AS owner FROM pg_namespace n
             WHERE ${db.unsafe(systemSchemas)} AND n.nspname <> 'public'
            UNION ALL
            SELECT 'relation ' || n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE ${db.unsafe(systemSchemas)} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            UNION ALL
            SELECT 'function ' || p.oid::regprocedure::text, pg_get_userbyid(p.proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE ${db.unsafe(systemSchemas)}`.pipe(
            Effect.map((rows) => rows.filter((r) => r.owner !== owner).map((r) => `${r.what} is owned by ${r.owner}, not ${owner}`))
          )
        })))
        return findings
      })
  },
  {
    id: "C04",
    kind: "catalog",
    title: "PUBLIC may not CONNECT to or create TEMP tables in any database",
    severity: "high",
    remediation: "REVOKE ALL ON DATABASE <db> FROM PUBLIC; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const rows = yield* sql<{ datname: string; acl: string | null }>`
          SELECT datname, datacl::text AS acl FROM pg_database
           WHERE datallowconn AND (datname = ANY(${env.layout.databases}) OR datname IN ('postgres', 'template1'))
             AND (datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(datacl) a WHERE a.grantee = 0))`
        return rows.map((r) => `PUBLIC has privileges on database ${r.datname} (${r.acl ?? "default ACL: CONNECT, TEMP"})`)
      })
  },
  {
    id: "C05",
    kind: "catalog",
    title: "each login role may CONNECT only to the databases the layout plans (mcp_ro: the hub only)",
    severity: "critical",
    remediation: "REVOKE CONNECT ON DATABASE <db> FROM <role>; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const plans = databasePlans(env.layout)
        const rows = yield* sql<{ role: string; datname: string }>`
          SELECT r.rolname AS role, d.datname FROM pg_roles r CROSS JOIN pg_database d
           WHERE r.rolname = ANY(${loginRoles.map(env.layout.role)}) AND d.datallowconn
             AND has_database_privilege(r.oid, d.oid, 'CONNECT')`
        const allowed = (role: string, database: string) =>
          plans.some((p) => p.database === database && p.connect.some((r) => env.layout.role(r) === role))
        const findings = rows.filter((r) => !allowed(r.role, r.datname)).map((r) => `${r.role} may connect to ${r.datname}`)
        for (const plan of plans) {
          for (const role of plan.connect) {
            if (!rows.some((r) => r.role === env.layout.role(role) && r.datname === plan.database)) {
              findings.push(`${env.layout.role(role)} cannot connect to ${plan.database}, which it needs`)
            }
          }
        }
        return findings
      })
  },
  {
    id: "C06",
    kind: "catalog",
    title: "PUBLIC has no privilege on any schema",
    severity: "high",
    remediation: "REVOKE ALL ON SCHEMA <schema> FROM PUBLIC; re-run `npm run provision`.",
    run: (env) =>
      eachDatabase(env, (sql) =>
        Effect.map(
          sql<{ nspname: string; acl: string }>`
            SELECT n.nspname, n.nspacl::text AS acl FROM pg_namespace n
             WHERE ${sql.unsafe(systemSchemas)} AND EXISTS (SELECT 1 FROM aclexplode(n.nspacl) a WHERE a.grantee = 0)`,
          (rows) => rows.map((r) => `PUBLIC has ${r.acl} on schema ${r.nspname}`)
        ))
  },
  {
    id: "C07",
    kind: "catalog",
    title: "no login role may CREATE in any schema or database, or create TEMP tables",
    severity: "high",
    remediation: "REVOKE CREATE ON SCHEMA/DATABASE … FROM <role>; re-run `npm run provision`.",
    run: (env) =>
      eachDatabase(env, (sql, database) =>
        Effect.map(
          sql<{ what: string }>`
            SELECT r.rolname || ' may CREATE in schema ' || n.nspname AS what
              FROM pg_roles r CROSS JOIN pg_namespace n
             WHERE r.rolname = ANY(${loginRoles.map(env.layout.role)}) AND ${sql.unsafe(systemSchemas)}
               AND has_schema_privilege(r.oid, n.oid, 'CREATE')
            UNION ALL
            SELECT r.rolname || ' may ' || p.priv || ' on database ' || ${database}
              FROM pg_roles r CROSS JOIN (VALUES ('CREATE'), ('TEMPORARY')) p(priv)
             WHERE r.rolname = ANY(${loginRoles.map(env.layout.role)}) AND has_database_privilege(r.oid, ${database}, p.priv)`,
          (rows) => rows.map((r) => r.what)
        ))
  },
  {
    id: "C08",
    kind: "catalog",
    title: "PUBLIC has no privilege on any table, view, sequence or column",
    severity: "critical",
    remediation: "REVOKE ALL ON <relation> FROM PUBLIC; re-run `npm run provision`.",
    run: (env) =>
      eachDatabase(env, (sql) =>
        Effect.map(
          sql<{ what: string }>`
            SELECT n.nspname || '.' || c.relname AS what FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE ${sql.unsafe(systemSchemas)} AND EXISTS (SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0)
            UNION ALL
            SELECT n.nspname || '.' || c.relname || '.' || a.attname FROM pg_attribute a
              JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE ${sql.unsafe(systemSchemas)} AND EXISTS (SELECT 1 FROM aclexplode(a.attacl) x WHERE x.grantee = 0)`,
          (rows) => rows.map((r) => `PUBLIC has privileges on ${r.what}`)
        ))
  },
  {
    id: "C09",
    kind: "catalog",
    title: "PUBLIC may execute no function of ours, nor the large-object functions or pg_logical_emit_message",
    severity: "high",
    remediation: "REVOKE EXECUTE ON FUNCTION … FROM PUBLIC; re-run `npm run provision`.",
    run: (env) =>
      eachDatabase(env, (sql) =>
        Effect.gen(function*() {
          const ours = yield* sql<{ fn: string }>`
            SELECT p.oid::regprocedure::text AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE ${sql.unsafe(systemSchemas)}
               AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0))`
          const dangerous = yield* sql<{ fn: string }>`
            SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
             WHERE p.oid = ANY(${revokedPublicFunctions.map((f) => `pg_catalog.${f}`)}::regprocedure[])
               AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0))`
          return [...ours, ...dangerous].map((r) => `PUBLIC may execute ${r.fn}`)
        }))
  },
  {
    id: "C10",
    kind: "catalog",
    title: "default privileges give nothing to PUBLIC or the assistant, and revoke EXECUTE on new functions from PUBLIC",
    severity: "high",
    remediation: "ALTER DEFAULT PRIVILEGES FOR ROLE <owner> REVOKE … FROM PUBLIC / mcp_ro; re-run `npm run provision`.",
    run: (env) =>
      eachDatabase(env, (sql, database) =>
        Effect.gen(function*() {
          const owner = env.layout.role(databasePlans(env.layout).find((p) => p.database === database)!.owner)
          const rows = yield* sql<{ role: string; schema: string | null; type: string; acl: string; to_public: boolean; to_assistant: boolean }>`
            SELECT pg_get_userbyid(d.defaclrole) AS role, n.nspname AS schema, d.defaclobjtype::text AS type, d.defaclacl::text AS acl,
                   EXISTS (SELECT 1 FROM aclexplode(d.defaclacl) a WHERE a.grantee = 0) AS to_public,
                   EXISTS (SELECT 1 FROM aclexplode(d.defaclacl) a WHERE a.grantee = ${env.layout.role("mcp_ro")}::regrole) AS to_assistant
              FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace`
          const findings = rows
            .filter((r) => r.to_public || r.to_assistant)
            .map((r) => `default privileges of ${r.role}${r.schema ? ` in ${r.schema}` : ""} on ${r.type} give ${r.acl}`)
          if (!rows.some((r) => r.role === owner && r.schema === null && r.type === "f" && !r.to_public)) {
            findings.push(`new functions of ${owner} would be executable by PUBLIC (no ALTER DEFAULT PRIVILEGES … REVOKE EXECUTE)`)
          }
          return findings
        }))
  },
  {
    id: "C11",
    kind: "catalog",
    title: "mcp_ro may SELECT exactly the untagged columns of warehouse tables, and nothing at table level",
    severity: "critical",
    remediation: "Re-run `npm run provision`: it revokes everything from mcp_ro and grants column SELECT from the PII schemas.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const role = env.layout.role("mcp_ro")
        const readable = yield* sql<{ key: string }>`
          SELECT n.nspname || '.' || c.relname || '.' || a.attname AS key
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE ${sql.unsafe(systemSchemas)} AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
             AND has_column_privilege(${role}, c.oid, a.attnum, 'SELECT')`
        const tableLevel = yield* sql<{ what: string }>`
          SELECT n.nspname || '.' || c.relname || ' (' || a.privilege_type || ')' AS what
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
           WHERE ${sql.unsafe(systemSchemas)} AND a.grantee = ${role}::regrole`
        const catalog = new Map<string, string | null>(env.tables.filter((t) => t.database === "hub")
          .flatMap((t) => t.columns.map((c) => [`${t.schema}.${t.name}.${c.column}`, c.pii] as const)))
        const allowed = new Set(assistantColumns(env.tables).flatMap(({ table, columns }) => columns.map((c) => `${table.schema}.${table.name}.${c}`)))
        return [
          ...readable.filter((r) => !allowed.has(r.key)).map((r) => {
            const kind = catalog.get(r.key)
            return `mcp_ro can read ${r.key} (${kind === undefined ? "unknown to the PII schemas: treated as PII" : kind === null ? "not in the warehouse" : `PII: ${kind}`})`
          }),
          ...tableLevel.map((r) => `mcp_ro holds a table-level privilege on ${r.what}`)
        ]
      })
  },
  {
    id: "C12",
    kind: "catalog",
    title: "mcp_ro may use the warehouse schema and no other",
    severity: "critical",
    remediation: "REVOKE USAGE ON SCHEMA <schema> FROM mcp_ro; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const rows = yield* sql<{ nspname: string; usable: boolean }>`
          SELECT n.nspname, has_schema_privilege(${env.layout.role("mcp_ro")}, n.oid, 'USAGE') AS usable
            FROM pg_namespace n WHERE ${sql.unsafe(systemSchemas)}`
        return [
          ...rows.filter((r) => r.usable && r.nspname !== assistantSchema).map((r) => `mcp_ro may use schema ${r.nspname}`),
          ...(rows.some((r) => r.nspname === assistantSchema && r.usable) ? [] : [`mcp_ro cannot use schema ${assistantSchema}`])
        ]
      })
  },
  {
    id: "C13",
    kind: "catalog",
    title: "every view or materialized view mcp_ro can read is security_invoker, or reads only untagged warehouse columns",
    severity: "critical",
    remediation: "ALTER VIEW <view> SET (security_invoker = true), or rebuild it over warehouse tables only.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const role = env.layout.role("mcp_ro")
        const rows = yield* sql<{ view: string; kind: string; invoker: boolean; ref_schema: string; ref_table: string; ref_column: string | null }>`
          SELECT vn.nspname || '.' || v.relname AS view, v.relkind::text AS kind,
                 coalesce(v.reloptions::text[] && ARRAY['security_invoker=true', 'security_invoker=on', 'security_invoker=1'], false) AS invoker,
                 rn.nspname AS ref_schema, rc.relname AS ref_table, ra.attname AS ref_column
            FROM pg_class v JOIN pg_namespace vn ON vn.oid = v.relnamespace
            JOIN pg_rewrite r ON r.ev_class = v.oid
            JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
            JOIN pg_class rc ON rc.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
            LEFT JOIN pg_attribute ra ON ra.attrelid = rc.oid AND ra.attnum = d.refobjsubid AND d.refobjsubid > 0
           WHERE v.relkind IN ('v', 'm') AND d.refobjid <> v.oid
             AND vn.nspname NOT IN ('pg_catalog', 'information_schema')
             AND has_schema_privilege(${role}, vn.oid, 'USAGE')
             AND EXISTS (SELECT 1 FROM pg_attribute va WHERE va.attrelid = v.oid AND va.attnum > 0
                          AND has_column_privilege(${role}, v.oid, va.attnum, 'SELECT'))`
        const pii = new Map<string, string | null>(env.tables.filter((t) => t.database === "hub")
          .flatMap((t) => t.columns.map((c) => [`${t.schema}.${t.name}.${c.column}`, c.pii] as const)))
        const findings = new Set<string>()
        for (const row of rows) {
          if (row.kind === "v" && row.invoker) continue
          const what = row.kind === "m" ? "materialized view" : "view (owner's rights)"
          if (row.ref_schema !== assistantSchema) {
            findings.add(`${what} ${row.view} reads ${row.ref_schema}.${row.ref_table}, outside the warehouse`)
          } else if (row.ref_column !== null) {
            const kind = pii.get(`${row.ref_schema}.${row.ref_table}.${row.ref_column}`)
            if (kind !== null) findings.add(`${what} ${row.view} reads ${row.ref_schema}.${row.ref_table}.${row.ref_column} (${kind ?? "unknown column: treated as PII"})`)
          }
        }
        return [...findings]
      })
  },
  {
    id: "C14",
    kind: "catalog",
    title: "no SECURITY DEFINER function is executable by mcp_ro",
    severity: "critical",
    remediation: "REVOKE EXECUTE ON FUNCTION … FROM mcp_ro, PUBLIC, or make it SECURITY INVOKER.",
    run: (env) =>
      eachDatabase(env, (sql) =>
        Effect.map(
          sql<{ fn: string }>`
            SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
             WHERE p.prosecdef AND has_function_privilege(${env.layout.role("mcp_ro")}, p.oid, 'EXECUTE')`,
          (rows) => rows.map((r) => `mcp_ro may execute the SECURITY DEFINER function ${r.fn}`)
        ))
  },
  {
    id: "C15",
    kind: "catalog",
    title: "every function in our schemas pins its search_path",
    severity: "medium",
    remediation: "ALTER FUNCTION … SET search_path = pg_catalog, <schema>.",
    run: (env) =>
      eachDatabase(env, (sql) =>
        Effect.map(
          sql<{ fn: string }>`
            SELECT p.oid::regprocedure::text AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE ${sql.unsafe(systemSchemas)}
               AND NOT coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%'), false)
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
          (rows) => rows.map((r) => `function ${r.fn} has no pinned search_path`)
        ))
  },
  {
    id: "C16",
    kind: "catalog",
    title: "no extension is installed in the public schema",
    severity: "medium",
    remediation: "ALTER EXTENSION <ext> SET SCHEMA <its own schema>.",
    run: (env) =>
      eachDatabase(env, (sql) =>
        Effect.map(
          sql<{ extname: string }>`
            SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = 'public'`,
          (rows) => rows.map((r) => `extension ${r.extname} lives in public`)
        ))
  },
  {
    id: "C17",
    kind: "catalog",
    title: "passwords are stored as SCRAM-SHA-256 and password_encryption is scram-sha-256",
    severity: "high",
    remediation: "SET password_encryption = 'scram-sha-256' in postgresql.conf; re-run `npm run provision` to reset passwords.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const setting = yield* sql<{ value: string }>`SELECT current_setting('password_encryption') AS value`
        const weak = yield* sql<{ rolname: string }>`
          SELECT rolname FROM pg_authid WHERE rolname = ANY(${loginRoles.map(env.layout.role)})
             AND (rolpassword IS NULL OR rolpassword NOT LIKE 'SCRAM-SHA-256$%')`
        return [
          ...(setting[0]?.value === "scram-sha-256" ? [] : [`password_encryption is ${setting[0]?.value}`]),
          ...weak.map((r) => `${r.rolname}'s password is not a SCRAM verifier`)
        ]
      })
  },
  {
    id: "C18",
    kind: "catalog",
    title: "pg_hba allows no trust/password/md5 logins, and a server listening beyond loopback uses SSL",
    severity: "high",
    remediation: "Use scram-sha-256 in every pg_hba.conf line (see ops/pg_hba.conf); set ssl = on when listening on a network.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const rules = yield* sql<{ line_number: number; type: string; database: Array<string> | string; user_name: Array<string> | string; auth_method: string | null; error: string | null }>`
          SELECT line_number, type, database, user_name, auth_method, error FROM pg_hba_file_rules`
        const settings = yield* sql<{ listen: string; ssl: string }>`
          SELECT current_setting('listen_addresses') AS listen, current_setting('ssl') AS ssl`
        const findings = rules
          .filter((r) => r.error !== null || ["trust", "password", "md5", "ident"].includes(r.auth_method ?? ""))
          .map((r) => `pg_hba.conf line ${r.line_number}: ${r.error ?? `${r.type} ${String(r.database)} ${String(r.user_name)} uses ${r.auth_method}`}`)
        const listen = (settings[0]?.listen ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")
        const loopbackOnly = listen.every((a) => ["localhost", "127.0.0.1", "::1"].includes(a))
        if (!loopbackOnly && settings[0]?.ssl !== "on") findings.push(`listens on ${listen.join(", ")} without SSL`)
        return findings
      })
  },
  {
    id: "C19",
    kind: "catalog",
    title: "mcp_ro's stored session defaults are exactly the expected ones (read-only, timeouts, search_path) and its connection limit is low",
    severity: "high",
    remediation: "Re-run `npm run provision`: it resets mcp_ro's settings (ALTER ROLE mcp_ro RESET ALL; SET …).",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const role = env.layout.role("mcp_ro")
        const rows = yield* sql<{ database: string | null; settings: Array<string> }>`
          SELECT d.datname AS database, s.setconfig AS settings FROM pg_db_role_setting s
            LEFT JOIN pg_database d ON d.oid = s.setdatabase WHERE s.setrole = ${role}::regrole`
        const limit = yield* sql<{ rolconnlimit: number }>`SELECT rolconnlimit FROM pg_roles WHERE rolname = ${role}`
        const global = rows.find((r) => r.database === null)?.settings ?? []
        const findings = [
          ...rows.filter((r) => r.database !== null).map((r) => `mcp_ro has settings in database ${r.database}: ${r.settings.join(", ")}`)
        ]
        const expected = [...env.assistantSettings].sort()
        const actual = [...global].sort()
        if (JSON.stringify(expected) !== JSON.stringify(actual)) {
          findings.push(`mcp_ro's settings are [${actual.join(", ")}], expected [${expected.join(", ")}]`)
        }
        const connlimit = limit[0]?.rolconnlimit ?? -1
        if (connlimit < 0 || connlimit > env.assistantConnectionLimit) {
          findings.push(`mcp_ro's connection limit is ${connlimit < 0 ? "unlimited" : connlimit}, expected at most ${env.assistantConnectionLimit}`)
        }
        return findings
      })
  },
  {
    id: "C20",
    kind: "catalog",
    title: "every column of every table is described by a PII-tagged schema in lib/ (unknown columns count as PII)",
    severity: "high",
    remediation: "Add the table or column to its Table.make definition (lib/<area>/tables.ts), tagging personal data with pii(...).",
    run: (env) =>
      eachDatabase(env, (sql, database) =>
        Effect.gen(function*() {
          const known = new Set(tablesFor(env.tables, { kind: kindOf(env, database) })
            .flatMap((t) => t.columns.map((c) => `${t.schema}.${t.name}.${c.column}`)))
          const rows = yield* sql<{ key: string }>`
            SELECT n.nspname || '.' || c.relname || '.' || a.attname AS key
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE ${sql.unsafe(systemSchemas)} AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`
          return rows.filter((r) => !known.has(r.key)).map((r) => `column ${r.key} is unknown to the PII schemas`)
        }))
  },
  {
    id: "C21",
    kind: "catalog",
    title: "ops.pii_catalog in each database matches the PII schemas in lib/",
    severity: "medium",
    remediation: "Re-run `npm run provision` (it rewrites ops.pii_catalog from the schemas).",
    run: (env) =>
      eachDatabase(env, (sql, database) =>
        Effect.gen(function*() {
          const expected = new Map<string, string>(tablesFor(env.tables, { kind: kindOf(env, database) })
            .flatMap((t) => t.columns.map((c) => [`${t.schema}.${t.name}.${c.column}`, c.pii ?? "-"] as const)))
          const rows = yield* sql<{ key: string; kind: string }>`
            SELECT schema_name || '.' || table_name || '.' || column_name AS key, coalesce(pii_kind, '-') AS kind FROM ops.pii_catalog`
          const actual = new Map(rows.map((r) => [r.key, r.kind]))
          const findings: Array<string> = []
          for (const [key, kind] of expected) {
            if (actual.get(key) !== kind) findings.push(`catalog says ${key} is ${actual.get(key) ?? "absent"}, the schema says ${kind}`)
          }
          for (const key of actual.keys()) if (!expected.has(key)) findings.push(`catalog lists ${key}, which no schema defines`)
          return findings
        }))
  },
  {
    id: "C22",
    kind: "catalog",
    title: "no warehouse table holds a column tagged as personal data",
    severity: "critical",
    remediation: "Pseudonymize the value with the keyed hash in the ETL (Pseudonymizer) or drop it; warehouse schemas carry no pii() tags.",
    run: (env) =>
      Effect.gen(function*() {
        const fromCode = env.tables.filter((t) => t.database === "hub" && t.schema === assistantSchema)
          .flatMap((t) => t.columns.filter((c) => c.pii !== null).map((c) => `${t.name}.${c.column} is tagged ${c.pii} in lib/`))
        const sql = yield* hub(env)
        const fromDb = yield* sql<{ key: string; kind: string }>`
          SELECT table_name || '.' || column_name AS key, pii_kind AS kind FROM ops.pii_catalog
           WHERE schema_name = ${assistantSchema} AND pii_kind IS NOT NULL`
        return [...fromCode, ...fromDb.map((r) => `${r.key} is catalogued as ${r.kind}`)]
      })
  },
  {
    id: "C23",
    kind: "catalog",
    title: "every login role has a connection limit",
    severity: "low",
    remediation: "ALTER ROLE <role> CONNECTION LIMIT n; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* hub(env)
        const rows = yield* sql<{ rolname: string }>`
          SELECT rolname FROM pg_roles WHERE rolname = ANY(${loginRoles.map(env.layout.role)}) AND rolconnlimit < 0`
        return rows.map((r) => `${r.rolname} has no connection limit`)
      })
  },
  {
    id: "C24",
    kind: "catalog",
    title: "the pseudonymization key appears nowhere in the database (settings, role settings, comments, any text column)",
    severity: "critical",
    remediation: "Remove the value, rotate the key (docs/runbooks), and find the code path that wrote it.",
    run: (env) =>
      Effect.gen(function*() {
        if (env.pseudonymKey === undefined) return ["SOLOHUB_PSEUDONYM_KEY is not available to the audit, so its absence cannot be proven"]
        const key = Redacted.value(env.pseudonymKey)
        return yield* eachDatabase(env, (sql) =>
          Effect.gen(function*() {
            const findings: Array<string> = []
            const places = yield* sql<{ place: string }>`
              SELECT 'setting ' || name AS place FROM pg_settings WHERE strpos(coalesce(setting, '') || coalesce(reset_val, ''), ${key}) > 0
              UNION ALL SELECT 'role setting' FROM pg_db_role_setting WHERE strpos(array_to_string(setconfig, ' '), ${key}) > 0
              UNION ALL SELECT 'comment on ' || classoid::regclass::text FROM pg_description WHERE strpos(description, ${key}) > 0
              UNION ALL SELECT 'shared comment' FROM pg_shdescription WHERE strpos(description, ${key}) > 0`
            findings.push(...places.map((p) => `the key appears in ${p.place}`))
            const columns = yield* sql<{ schema: string; table: string; column: string }>`
              SELECT n.nspname AS schema, c.relname AS table, a.attname AS column
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE ${sql.unsafe(systemSchemas)} AND c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped
                 AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'json'::regtype, 'jsonb'::regtype, 'bytea'::regtype, 'name'::regtype)`
            for (const col of columns) {
              const q = `SELECT count(*) AS n FROM "${col.schema.replaceAll('"', '""')}"."${col.table.replaceAll('"', '""')}" WHERE strpos("${col.column.replaceAll('"', '""')}"::text, $1) > 0`
              const hits = yield* sql.unsafe<{ n: string }>(q, [key])
              if (hits[0]?.n !== "0") findings.push(`the key appears in ${col.schema}.${col.table}.${col.column}`)
            }
            return findings
          }))
      })
  }
]

