/**
 * Live attacks: connect as the assistant's role (mcp_ro) and try what it must
 * not be able to do. Each attempt must fail with a permission or read-only
 * error; one that succeeds is a finding. The last check proves the firewall
 * still lets legitimate warehouse questions through.
 */
import type { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Fiber, Schedule } from "effect"
import { errorCode } from "../lib/db/Connections.ts"
import { ident } from "../lib/db/Quote.ts"
import { loginRoles, ownerRoles } from "../lib/db/Layout.ts"
import { assistantColumns, assistantSchema } from "../lib/pii/Firewall.ts"
import type { AuditEnv, Check } from "./Check.ts"

/** Denials we accept: insufficient privilege, read-only transaction, undefined object reached only by privilege. */
const deniedCodes = new Set(["42501", "25006", "0LP01", "28000"])

/** Runs a statement as the attacker; a success (or an unexpected error) is a finding. */
const attempt = (sql: PgClient.PgClient, label: string, statement: string, params: ReadonlyArray<unknown> = []) =>
  sql.unsafe(statement, params).pipe(
    Effect.as([`succeeded: ${label}`]),
    Effect.catchAll((error) => {
      const code = errorCode(error)
      return Effect.succeed(code !== undefined && deniedCodes.has(code) ? [] : [`${label}: failed for another reason (${code ?? "?"}: ${error.message})`])
    })
  )

/** The same inside a read-write transaction the attacker opened itself (rolled back). */
const attemptReadWrite = (sql: PgClient.PgClient, label: string, statement: string) =>
  sql.withTransaction(
    Effect.zipRight(sql.unsafe("SET TRANSACTION READ WRITE"), sql.unsafe(statement)).pipe(
      Effect.zipRight(Effect.fail("rollback" as const))
    )
  ).pipe(
    Effect.as([] as Array<string>),
    Effect.catchAll((error) => {
      if (error === "rollback") return Effect.succeed([`succeeded in a READ WRITE transaction: ${label}`])
      const code = errorCode(error)
      return Effect.succeed(code !== undefined && deniedCodes.has(code) ? [] : [`${label}: failed for another reason (${code ?? "?"})`])
    })
  )

const collect = (parts: ReadonlyArray<ReadonlyArray<string>>) => parts.flat()

/** Tables of the hub outside the warehouse, as the admin sees them. */
const rawTables = (env: AuditEnv) =>
  Effect.flatMap(env.admin(env.layout.hubDatabase), (sql) =>
    sql<{ name: string }>`
      SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', ${assistantSchema})
         AND n.nspname NOT LIKE 'pg\\_%'`.pipe(Effect.map((rows) => rows.map((r) => r.name))))

/** Warehouse relations and their columns, as the admin sees them. */
const warehouseColumns = (env: AuditEnv) =>
  Effect.flatMap(env.admin(env.layout.hubDatabase), (sql) =>
    sql<{ relation: string; columns: Array<string>; writable: boolean; view: boolean }>`
      SELECT c.relname AS relation, array_agg(a.attname::text ORDER BY a.attnum) AS columns, bool_or(c.relkind = 'v') AS view,
             -- A view nobody can write (aggregates) is no write target; a simple, auto-updatable one is.
             bool_or(c.relkind IN ('r', 'p') OR (c.relkind = 'v' AND pg_relation_is_updatable(c.oid::regclass, true) > 0)) AS writable
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
       WHERE n.nspname = ${assistantSchema} AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
       GROUP BY c.relname
       ORDER BY c.relname`)

export const liveChecks: ReadonlyArray<Check> = [
  {
    id: "L01",
    kind: "live",
    title: "as mcp_ro, reading any table outside the warehouse (sources, ops, catalogs) is refused",
    severity: "critical",
    remediation: "Revoke mcp_ro's privileges on the raw schemas; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const tables = yield* rawTables(env)
        if (tables.length === 0) return ["no table outside the warehouse to attack: the layout looks unprovisioned"]
        return collect(yield* Effect.forEach(tables, (t) => attempt(sql, `SELECT * FROM ${t}`, `SELECT * FROM ${t} LIMIT 1`)))
      })
  },
  {
    id: "L02",
    kind: "live",
    title: "as mcp_ro, reading a warehouse column that is PII or unknown to the schemas is refused",
    severity: "critical",
    remediation: "Revoke the column grant; re-run `npm run provision` (grants come only from untagged schema columns).",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const allowed = new Map(assistantColumns(env.tables).map(({ table, columns }) => [table.name, new Set(columns)]))
        const findings: Array<string> = []
        for (const { relation, columns } of yield* warehouseColumns(env)) {
          const hidden = columns.filter((c) => !allowed.get(relation)?.has(c))
          for (const column of hidden) {
            findings.push(...(yield* attempt(sql, `read ${assistantSchema}.${relation}.${column}`,
              `SELECT ${ident(column)} FROM ${ident(assistantSchema)}.${ident(relation)} LIMIT 1`)))
          }
          if (hidden.length > 0) {
            findings.push(...(yield* attempt(sql, `SELECT * FROM ${assistantSchema}.${relation}`, `SELECT * FROM ${ident(assistantSchema)}.${ident(relation)} LIMIT 1`)))
          }
        }
        return findings
      })
  },
  {
    id: "L03",
    kind: "live",
    title: "as mcp_ro, writing anything is refused, even in a READ WRITE transaction",
    severity: "critical",
    remediation: "Revoke INSERT/UPDATE/DELETE/TRUNCATE from mcp_ro; keep default_transaction_read_only on.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const readOnly = yield* sql<{ value: string }>`SELECT current_setting('transaction_read_only') AS value`
        const findings = readOnly[0]?.value === "on" ? [] : ["a new mcp_ro session is not read-only"]
        const targets = (yield* warehouseColumns(env)).filter((w) => w.writable)
          .map((w) => [`${ident(assistantSchema)}.${ident(w.relation)}`, ident(w.columns[0]!), w.view] as const)
        for (const [target, column, view] of [...targets, ["ops.task_runs", "status", false] as const]) {
          // TRUNCATE does not apply to views (42809 for anyone), so it is tried on tables only.
          for (const statement of [`DELETE FROM ${target}`, `UPDATE ${target} SET ${column} = ${column}`, ...(view ? [] : [`TRUNCATE ${target}`])]) {
            findings.push(...(yield* attempt(sql, statement, statement)))
            findings.push(...(yield* attemptReadWrite(sql, statement, statement)))
          }
          findings.push(...(yield* attemptReadWrite(sql, `INSERT INTO ${target}`, `INSERT INTO ${target} DEFAULT VALUES`)))
        }
        return findings
      })
  },
  {
    id: "L04",
    kind: "live",
    title: "as mcp_ro, creating anything (tables, temp tables, views, functions, schemas) is refused",
    severity: "high",
    remediation: "Revoke CREATE on schemas and TEMP on the database from mcp_ro and PUBLIC; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const statements = [
          `CREATE TABLE ${assistantSchema}.audit_probe (x int)`,
          "CREATE TABLE public.audit_probe (x int)",
          "CREATE TEMP TABLE audit_probe (x int)",
          `CREATE VIEW ${assistantSchema}.audit_probe AS SELECT 1 AS x`,
          "CREATE FUNCTION public.audit_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'",
          "CREATE SCHEMA audit_probe"
        ]
        return collect(yield* Effect.forEach(statements, (s) => attemptReadWrite(sql, s, s)))
      })
  },
  {
    id: "L05",
    kind: "live",
    title: "as mcp_ro, files, programs, large objects and WAL messages are out of reach",
    severity: "critical",
    remediation: "Keep mcp_ro out of pg_read_server_files/pg_execute_server_program; re-run `npm run provision` to revoke lo_* and pg_logical_emit_message from PUBLIC.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const statements = [
          "COPY (SELECT 1) TO PROGRAM 'true'",
          "COPY (SELECT 1) TO '/tmp/solohub-audit-probe'",
          "SELECT pg_read_file('postgresql.conf')",
          "SELECT pg_read_binary_file('postgresql.conf')",
          "SELECT pg_ls_dir('.')",
          "SELECT pg_stat_file('postgresql.conf')",
          "SELECT lo_import('/etc/hostname')",
          "SELECT lo_from_bytea(0, 'x'::bytea)",
          "SELECT lo_create(0)",
          "SELECT pg_logical_emit_message(false, 'solohub', 'probe')"
        ]
        return collect([
          ...(yield* Effect.forEach(statements, (s) => attempt(sql, s, s))),
          yield* attemptReadWrite(sql, "CREATE TEMP TABLE … ; COPY FROM a file", "COPY pg_catalog.pg_class FROM '/etc/hostname'")
        ])
      })
  },
  {
    id: "L06",
    kind: "live",
    title: "as mcp_ro, connecting to any database but the hub is refused",
    severity: "critical",
    remediation: "REVOKE CONNECT ON DATABASE <db> FROM mcp_ro, PUBLIC; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const findings: Array<string> = []
        for (const database of [...env.layout.products.map((p) => p.database), "postgres", "template1"]) {
          const outcome = yield* Effect.scoped(env.assistant(database).pipe(Effect.either))
          if (outcome._tag === "Right") findings.push(`mcp_ro connected to ${database}`)
          else if (!outcome.left.message.includes("permission denied") && outcome.left._tag !== "ClusterError") {
            findings.push(`connecting to ${database} failed for another reason: ${outcome.left.message}`)
          }
        }
        return findings
      })
  },
  {
    id: "L07",
    kind: "live",
    title: "as mcp_ro, other sessions' query text is hidden",
    severity: "high",
    remediation: "Keep mcp_ro out of pg_read_all_stats/pg_monitor.",
    run: (env) =>
      Effect.gen(function*() {
        const marker = `solohub_audit_marker_${Date.now()}`
        const admin = yield* env.admin(env.layout.hubDatabase)
        const running = yield* Effect.fork(admin.unsafe(`SELECT pg_sleep(10) /* ${marker} */`))
        const probe = (client: PgClient.PgClient) =>
          client<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE ${"%" + marker + "%"} AND pid <> pg_backend_pid()`
        // Wait (bounded) until the admin sees its own probe running, then look as mcp_ro.
        const visible = yield* probe(admin).pipe(
          Effect.filterOrFail((rows) => rows[0]?.n !== "0", () => "not yet"),
          Effect.retry({ times: 50, schedule: Schedule.spaced(Duration.millis(100)) }),
          Effect.orElseSucceed(() => [{ n: "0" }])
        )
        const sql = yield* env.assistant()
        const seen = yield* probe(sql)
        yield* admin`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE ${"%" + marker + "%"} AND pid <> pg_backend_pid()`
        yield* Fiber.interrupt(running)
        if (visible[0]?.n === "0") return ["the probe query was not running: cannot prove anything"]
        return seen[0]?.n === "0" ? [] : ["mcp_ro can read another session's query text in pg_stat_activity"]
      })
  },
  {
    id: "L08",
    kind: "live",
    title: "as mcp_ro, settings and files that could hold secrets are unreadable",
    severity: "high",
    remediation: "Keep mcp_ro out of pg_read_all_settings/pg_monitor.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        // The superuser-only settings; others (archive_command, ssl_key_file) are readable by every role,
        // so docs/security.md forbids putting secrets in them.
        const settings = ["data_directory", "config_file", "hba_file", "ident_file", "ssl_passphrase_command", "primary_conninfo"]
        return collect([
          ...(yield* Effect.forEach(settings, (name) => attempt(sql, `current_setting('${name}')`, "SELECT current_setting($1)", [name]))),
          yield* attempt(sql, "SELECT FROM pg_file_settings", "SELECT * FROM pg_file_settings"),
          yield* attempt(sql, "SELECT FROM pg_hba_file_rules", "SELECT * FROM pg_hba_file_rules"),
          yield* attempt(sql, "SELECT FROM pg_authid", "SELECT rolpassword FROM pg_authid")
        ])
      })
  },
  {
    id: "L09",
    kind: "live",
    title: "as mcp_ro, becoming another role is refused",
    severity: "critical",
    remediation: "Revoke every role membership from mcp_ro; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const targets = [...loginRoles.filter((r) => r !== "mcp_ro"), ...ownerRoles].map(env.layout.role)
        return collect([
          ...(yield* Effect.forEach([...targets, env.adminUser, "pg_read_server_files", "pg_execute_server_program"], (role) =>
            attempt(sql, `SET ROLE ${role}`, `SET ROLE ${ident(role)}`))),
          yield* attempt(sql, `SET SESSION AUTHORIZATION ${env.adminUser}`, `SET SESSION AUTHORIZATION ${ident(env.adminUser)}`)
        ])
      })
  },
  {
    id: "L10",
    kind: "live",
    title: "as mcp_ro, a query running past the statement timeout is cancelled",
    severity: "high",
    remediation: "ALTER ROLE mcp_ro SET statement_timeout = '5s'; re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const seconds = env.assistantStatementTimeoutMs / 1000 + 2
        const started = Date.now()
        const outcome = yield* sql.unsafe(`SELECT pg_sleep(${seconds})`).pipe(Effect.either)
        const elapsed = Date.now() - started
        if (outcome._tag === "Right") return [`pg_sleep(${seconds}) ran to the end (${elapsed} ms)`]
        if (errorCode(outcome.left) !== "57014") return [`the query failed for another reason: ${outcome.left.message}`]
        // 57014 before pg_sleep could end is the proof; the elapsed time is only reported.
        return elapsed >= seconds * 1000 ? [`cancelled only after ${elapsed} ms`] : []
      })
  },
  {
    id: "L11",
    kind: "live",
    title: "as mcp_ro, stacked statements cannot escape the read-only transaction to write",
    severity: "critical",
    remediation: "mcp_ro must hold no write privilege anywhere (read-only by default is not enough); re-run `npm run provision`.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const admin = yield* env.admin(env.layout.hubDatabase)
        const table = `${assistantSchema}.audit_escape_${Date.now()}`
        const target = (yield* warehouseColumns(env)).find((w) => w.writable)?.relation
        const escape = (statement: string) =>
          ["COMMIT", "SET default_transaction_read_only = off", "BEGIN READ WRITE", statement, "COMMIT"].join("; ")
        const count = (relation: string) =>
          Effect.map(admin.unsafe<{ n: string }>(`SELECT count(*) AS n FROM ${ident(assistantSchema)}.${ident(relation)}`), (r) => r[0]?.n)
        const before = target === undefined ? undefined : yield* count(target)
        const findings = [
          ...(yield* attempt(sql, "a stacked escape that creates a table", escape(`CREATE TABLE ${table} (x int)`))),
          ...(target === undefined ? [] : yield* attempt(sql, "a stacked escape that deletes rows", escape(`DELETE FROM ${ident(assistantSchema)}.${ident(target)}`)))
        ]
        const created = yield* admin<{ n: string }>`SELECT count(*) AS n FROM pg_class WHERE oid = to_regclass(${table})`
        if (created[0]?.n !== "0") findings.push(`${table} was created`)
        if (target !== undefined && (yield* count(target)) !== before) findings.push(`rows of ${assistantSchema}.${target} were deleted`)
        return findings
      })
  },
  {
    id: "L12",
    kind: "live",
    title: "as mcp_ro, every permitted warehouse column can be read (a firewall that denies everything fails)",
    severity: "high",
    remediation: "Re-run `npm run provision` to grant SELECT on the warehouse's untagged columns.",
    run: (env) =>
      Effect.gen(function*() {
        const sql = yield* env.assistant()
        const present = new Map((yield* warehouseColumns(env)).map((w) => [w.relation, new Set(w.columns)]))
        const findings: Array<string> = []
        let readable = 0
        for (const { table, columns } of assistantColumns(env.tables)) {
          const exists = present.get(table.name)
          if (exists === undefined) continue
          const cols = columns.filter((c) => exists.has(c))
          if (cols.length === 0) continue
          const outcome = yield* sql.unsafe(`SELECT ${cols.map(ident).join(", ")} FROM ${ident(table.schema)}.${ident(table.name)} LIMIT 5`).pipe(Effect.either)
          if (outcome._tag === "Left") findings.push(`cannot read ${table.schema}.${table.name}: ${outcome.left.message}`)
          else readable++
        }
        if (readable === 0 && findings.length === 0) findings.push("the warehouse has no model the assistant can read")
        return findings
      })
  }
]
