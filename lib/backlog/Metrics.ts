/**
 * Measuring the backlog's triggers on the live system. Each metric either
 * gives a number or says why it cannot be measured here (a table that does
 * not exist yet, a server on another host) — never a made-up value.
 */
import type { PgClient } from "@effect/sql-pg"
import { Effect, type Scope } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import type { ClusterError } from "../db/errors.ts"
import type { LayoutShape } from "../db/Layout.ts"
import type { MetricId } from "./Backlog.ts"

export type Reading =
  | { readonly _tag: "Value"; readonly value: number }
  | { readonly _tag: "Unmeasurable"; readonly why: string }

export const value = (n: number): Reading => ({ _tag: "Value", value: n })
export const unmeasurable = (why: string): Reading => ({ _tag: "Unmeasurable", why })

export interface MeasureEnv {
  readonly layout: LayoutShape
  /** The admin client on a database. */
  readonly admin: (database: string) => Effect.Effect<PgClient.PgClient, ClusterError, Scope.Scope>
  /** Whether Postgres runs on this machine (host metrics mean something only then). */
  readonly local: boolean
  readonly now: Date
}

/** End of life of PostgreSQL majors (postgresql.org/support/versioning). */
export const postgresEndOfLife: Record<number, string> = {
  13: "2025-11-13",
  14: "2026-11-12",
  15: "2027-11-11",
  16: "2028-11-09",
  17: "2029-11-08",
  18: "2030-11-14"
}

const gb = (bytes: number) => bytes / 1024 ** 3

const tableExists = (sql: PgClient.PgClient, qualified: string) =>
  Effect.map(sql<{ present: boolean }>`SELECT to_regclass(${qualified}) IS NOT NULL AS present`, (r) => r[0]?.present === true)

const columnExists = (sql: PgClient.PgClient, schema: string, table: string, column: string) =>
  Effect.map(
    sql<{ n: string }>`SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = ${table} AND column_name = ${column}`,
    (r) => r[0]?.n !== "0"
  )

const hub = (env: MeasureEnv) => env.admin(env.layout.hubDatabase)

/** Sums a count over every product database that has the table; unmeasurable when none has it. */
const productCount = (env: MeasureEnv, qualified: string) =>
  Effect.gen(function*() {
    let total = 0
    let found = false
    for (const product of env.layout.products) {
      const sql = yield* env.admin(product.database)
      if (!(yield* tableExists(sql, qualified))) continue
      found = true
      const rows = yield* sql.unsafe<{ n: string }>(`SELECT count(*) AS n FROM ${qualified}`)
      total += Number(rows[0]?.n ?? 0)
    }
    return found ? value(total) : unmeasurable(`no product database has ${qualified} yet`)
  })

const hostOnly = (env: MeasureEnv, f: () => Promise<Reading>) =>
  env.local
    ? Effect.promise(f)
    : Effect.succeed(unmeasurable("PostgreSQL runs on another host; this machine's figures would say nothing about it"))

const cpuSample = async () => {
  const text = await fs.readFile("/proc/stat", "utf8")
  const fields = text.split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  const total = fields.reduce((a, b) => a + b, 0)
  return { idle, total }
}

const hostCpu = async (): Promise<Reading> => {
  try {
    const a = await cpuSample()
    await new Promise((resolve) => setTimeout(resolve, 500))
    const b = await cpuSample()
    const total = b.total - a.total
    return total <= 0 ? unmeasurable("/proc/stat did not advance") : value(100 * (1 - (b.idle - a.idle) / total))
  } catch {
    return unmeasurable("/proc/stat is not readable on this OS")
  }
}

const memoryUsed = async (): Promise<Reading> => {
  try {
    const text = await fs.readFile("/proc/meminfo", "utf8")
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? Number.NaN)
    const total = field("MemTotal")
    const available = field("MemAvailable")
    return Number.isFinite(total) && Number.isFinite(available) ? value(100 * (1 - available / total)) : unmeasurable("/proc/meminfo lacks MemAvailable")
  } catch {
    return value(100 * (1 - os.freemem() / os.totalmem()))
  }
}

/** How to measure each metric. */
export const measurements: Record<MetricId, (env: MeasureEnv) => Effect.Effect<Reading, unknown, Scope.Scope>> = {
  signups_total: (env) => productCount(env, "app.signups"),
  payments_total: (env) => productCount(env, "app.payments"),
  host_cpu_percent: (env) => hostOnly(env, hostCpu),
  load_per_core: (env) => hostOnly(env, async () => value(os.loadavg()[0]! / Math.max(1, os.cpus().length))),
  memory_used_percent: (env) => hostOnly(env, memoryUsed),
  disk_used_percent: (env) =>
    Effect.gen(function*() {
      if (!env.local) return unmeasurable("PostgreSQL runs on another host; its disk is not visible from here")
      const sql = yield* hub(env)
      const dir = yield* sql<{ dir: string }>`SELECT current_setting('data_directory') AS dir`
      const stats = yield* Effect.promise(() => fs.statfs(dir[0]!.dir).then((s) => s, () => null))
      if (stats === null) return unmeasurable(`the data directory ${dir[0]!.dir} is not visible from this process`)
      return value(100 * (1 - stats.bavail / stats.blocks))
    }),
  database_size_gb: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      const rows = yield* sql<{ bytes: string }>`SELECT coalesce(sum(pg_database_size(datname)), 0)::text AS bytes FROM pg_database WHERE datname = ANY(${env.layout.databases})`
      return value(gb(Number(rows[0]?.bytes ?? 0)))
    }),
  largest_table_gb: (env) =>
    Effect.gen(function*() {
      let largest = 0
      for (const database of env.layout.databases) {
        const sql = yield* env.admin(database)
        const rows = yield* sql<{ bytes: string | null }>`
          SELECT max(pg_total_relation_size(c.oid))::text AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`
        largest = Math.max(largest, Number(rows[0]?.bytes ?? 0))
      }
      return value(gb(largest))
    }),
  warehouse_size_gb: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      const rows = yield* sql<{ bytes: string | null }>`
        SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'warehouse' AND c.relkind IN ('r', 'p', 'm')`
      return value(gb(Number(rows[0]?.bytes ?? 0)))
    }),
  raw_payloads_gb: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      const rows = yield* sql<{ n: string; bytes: string | null }>`
        SELECT count(*)::text AS n, coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'ops' AND c.relkind IN ('r', 'p') AND c.relname LIKE 'raw%'`
      return rows[0]?.n === "0" ? unmeasurable("no raw payload table in ops yet (the connectors add it)") : value(gb(Number(rows[0]?.bytes ?? 0)))
    }),
  connections_percent: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      const rows = yield* sql<{ used: string; max: string }>`
        SELECT count(*)::text AS used, current_setting('max_connections') AS max FROM pg_stat_activity WHERE backend_type = 'client backend'`
      return value((100 * Number(rows[0]!.used)) / Number(rows[0]!.max))
    }),
  product_p95_ms: (env) =>
    Effect.gen(function*() {
      const samples: Array<number> = []
      let found = false
      for (const product of env.layout.products) {
        const sql = yield* env.admin(product.database)
        if (!(yield* tableExists(sql, "app.events")) || !(yield* columnExists(sql, "app", "events", "duration_ms"))) continue
        found = true
        const rows = yield* sql<{ p95: string | null; n: string }>`
          SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)::text AS p95, count(duration_ms)::text AS n
            FROM app.events WHERE occurred_at > ${env.now}::timestamptz - interval '7 days' AND duration_ms IS NOT NULL`
        if (rows[0]?.p95 !== null && rows[0]?.p95 !== undefined) samples.push(Number(rows[0].p95))
      }
      if (!found) return unmeasurable("no product database has app.events with duration_ms yet")
      return samples.length === 0 ? unmeasurable("no timed product events in the last 7 days") : value(Math.max(...samples))
    }),
  errors_per_day: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      const rows = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM ops.errors WHERE occurred_at > ${env.now}::timestamptz - interval '1 day'`
      return value(Number(rows[0]?.n ?? 0))
    }),
  backup_size_gb: (env) => lastBackup(env, "size"),
  backup_duration_minutes: (env) => lastBackup(env, "duration"),
  backups_total_gb: (env) => lastBackup(env, "total"),
  restore_minutes: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      if (!(yield* tableExists(sql, "ops.restore_drills"))) return unmeasurable("no ops.restore_drills table yet (the restore drill adds it)")
      const rows = yield* sql.unsafe<{ seconds: string | null }>(
        "SELECT extract(epoch FROM finished_at - started_at)::text AS seconds FROM ops.restore_drills WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1"
      ).pipe(Effect.catchAll(() => Effect.succeed(null)))
      if (rows === null) return unmeasurable("ops.restore_drills has no started_at/finished_at columns")
      return rows.length === 0 ? unmeasurable("no restore drill has run yet") : value(Number(rows[0]!.seconds) / 60)
    }),
  quota_used_percent: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      if (!(yield* tableExists(sql, "ops.api_quota_usage"))) return unmeasurable("no API quota ledger (ops.api_quota_usage): run `npm run provision`")
      const rows = yield* sql.unsafe<{ pct: string | null }>(
        "SELECT max(100.0 * used / nullif(quota_limit, 0))::text AS pct FROM ops.api_quota_usage WHERE day = current_date"
      ).pipe(Effect.catchAll(() => Effect.succeed(null)))
      if (rows === null) return unmeasurable("ops.api_quota_usage has no used/quota_limit/day columns")
      return rows[0]?.pct == null ? value(0) : value(Number(rows[0].pct))
    }),
  newsletter_subscribers: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      if (!(yield* tableExists(sql, "newsletter.subscribers"))) return unmeasurable("no newsletter.subscribers table yet (the MailerLite connector adds it)")
      const rows = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM newsletter.subscribers`
      return value(Number(rows[0]?.n ?? 0))
    }),
  nightly_job_minutes: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      const rows = yield* sql<{ minutes: string | null; n: string }>`
        SELECT (sum(extract(epoch FROM finished_at - started_at)) / 60)::text AS minutes, count(*)::text AS n
          FROM ops.task_runs
         WHERE task IN ('sync', 'etl') AND finished_at IS NOT NULL AND started_at > ${env.now}::timestamptz - interval '1 day'`
      return rows[0]?.n === "0" ? unmeasurable("no sync or ETL run in the last day") : value(Number(rows[0]!.minutes))
    }),
  postgres_eol_days: (env) =>
    Effect.gen(function*() {
      const sql = yield* hub(env)
      const rows = yield* sql<{ v: string }>`SELECT current_setting('server_version_num') AS v`
      const major = Math.floor(Number(rows[0]!.v) / 10000)
      const eol = postgresEndOfLife[major]
      if (eol === undefined) return unmeasurable(`no end-of-life date known for PostgreSQL ${major}`)
      return value(Math.floor((Date.parse(`${eol}T00:00:00Z`) - env.now.getTime()) / 86_400_000))
    })
}

const lastBackup = (env: MeasureEnv, what: "size" | "duration" | "total") =>
  Effect.gen(function*() {
    const sql = yield* hub(env)
    if (!(yield* tableExists(sql, "ops.backups"))) return unmeasurable("no ops.backups table yet (the backup task adds it)")
    const query = what === "total"
      ? "SELECT (sum(size_bytes) / 1024.0 ^ 3)::text AS v FROM ops.backups"
      : what === "size"
      ? "SELECT (size_bytes / 1024.0 ^ 3)::text AS v FROM ops.backups WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1"
      : "SELECT (extract(epoch FROM finished_at - started_at) / 60)::text AS v FROM ops.backups WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1"
    const rows = yield* sql.unsafe<{ v: string | null }>(query).pipe(Effect.catchAll(() => Effect.succeed(null)))
    if (rows === null) return unmeasurable("ops.backups has no size_bytes/started_at/finished_at columns")
    const v = rows[0]?.v
    return v === undefined || v === null ? unmeasurable("no backup has finished yet") : value(Number(v))
  })

/** Measures one metric; a query that fails becomes "not measurable" with the reason. */
export const measure = (metric: MetricId, env: MeasureEnv): Effect.Effect<Reading, never, Scope.Scope> =>
  measurements[metric](env).pipe(
    Effect.catchAll((error) => Effect.succeed(unmeasurable(`measuring failed: ${(error as { message?: string }).message ?? String(error)}`)))
  )

