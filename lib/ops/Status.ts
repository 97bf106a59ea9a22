/**
 * `npm run status`: what an uptime check and the founder need — per task the
 * last run and its outcome, per source the newest day loaded, the last backup
 * and drill, recent errors — with a verdict: failing or stale is non-zero.
 */
import type { PgClient } from "@effect/sql-pg"
import { Config, Effect } from "effect"

export interface StatusThresholds {
  readonly backupHours: number
  readonly drillDays: number
  readonly sourceDays: number
}

export const thresholdsConfig = Config.all({
  backupHours: Config.number("SOLOHUB_STALE_BACKUP_HOURS").pipe(Config.withDefault(26)),
  drillDays: Config.number("SOLOHUB_STALE_DRILL_DAYS").pipe(Config.withDefault(8)),
  sourceDays: Config.number("SOLOHUB_STALE_SOURCE_DAYS").pipe(Config.withDefault(4))
})

export interface StatusReport {
  readonly ok: boolean
  readonly checkedAt: string
  readonly problems: ReadonlyArray<string>
  readonly tasks: ReadonlyArray<{ task: string; status: string; startedAt: string; finishedAt: string | null; error: string | null }>
  readonly sources: ReadonlyArray<{ source: string; property: string; newestDay: string | null; lastSuccessAt: string | null }>
  readonly lastBackup: { id: string; status: string; finishedAt: string | null; sizeBytes: number | null } | null
  readonly lastDrill: { backupId: string; status: string; finishedAt: string; rtoSeconds: number } | null
  readonly recentErrors: ReadonlyArray<{ task: string; occurredAt: string; error: string; message: string }>
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString())
const hoursSince = (d: Date, now: Date) => (now.getTime() - d.getTime()) / 3_600_000

/** Builds the report with a reader that may see ops and warehouse.data_freshness (warehouse_writer). */
export const statusReport = (sql: PgClient.PgClient, thresholds: StatusThresholds, now = new Date()) =>
  Effect.gen(function*() {
    const problems: Array<string> = []
    const tasks = yield* sql<{ task: string; status: string; started_at: Date; finished_at: Date | null; error: string | null }>`
      SELECT DISTINCT ON (task) task, status, started_at, finished_at, error FROM ops.task_runs
       ORDER BY task, started_at DESC`
    for (const t of tasks) if (t.status === "failed") problems.push(`task ${t.task} failed at its last run: ${t.error ?? "see ops.errors"}`)
    const sources = yield* sql<{ source: string; property: string; newest_day: Date | null; last_success_at: Date | null }>`
      SELECT source, property, newest_day, last_success_at FROM warehouse.data_freshness ORDER BY source, property`
    for (const s of sources) {
      if (s.newest_day === null || hoursSince(s.newest_day, now) / 24 > thresholds.sourceDays) {
        problems.push(`${s.source} (${s.property}): newest day ${s.newest_day === null ? "none" : s.newest_day.toISOString().slice(0, 10)} is older than ${thresholds.sourceDays} days`)
      }
    }
    const backups = yield* sql<{ id: string; status: string; finished_at: Date | null; size_bytes: string | null }>`
      SELECT id, status, finished_at, size_bytes::text FROM ops.backups ORDER BY started_at DESC LIMIT 1`
    const lastGood = yield* sql<{ finished_at: Date }>`SELECT max(finished_at) AS finished_at FROM ops.backups WHERE status = 'succeeded'`
    const good = lastGood[0]?.finished_at ?? null
    if (good === null) problems.push("no backup has succeeded yet")
    else if (hoursSince(good, now) > thresholds.backupHours) problems.push(`the last successful backup is ${hoursSince(good, now).toFixed(0)} hours old (limit ${thresholds.backupHours})`)
    if (backups[0] !== undefined && backups[0].status !== "succeeded" && backups[0].status !== "running") {
      problems.push(`the last backup ${backups[0].id} ended ${backups[0].status}`)
    }
    const drills = yield* sql<{ backup_id: string; status: string; finished_at: Date; rto_seconds: number }>`
      SELECT backup_id, status, finished_at, rto_seconds FROM ops.restore_drills ORDER BY finished_at DESC LIMIT 1`
    const drill = drills[0]
    if (drill === undefined) problems.push("no restore drill has run yet")
    else if (drill.status !== "passed") problems.push(`the last restore drill (of ${drill.backup_id}) failed`)
    else if (hoursSince(drill.finished_at, now) / 24 > thresholds.drillDays) problems.push(`the last restore drill is ${(hoursSince(drill.finished_at, now) / 24).toFixed(0)} days old (limit ${thresholds.drillDays})`)
    const errors = yield* sql<{ task: string; occurred_at: Date; error_tag: string; message: string }>`
      SELECT task, occurred_at, error_tag, message FROM ops.errors WHERE occurred_at > ${now}::timestamptz - interval '1 day'
       ORDER BY occurred_at DESC LIMIT 10`
    return {
      ok: problems.length === 0,
      checkedAt: now.toISOString(),
      problems,
      tasks: tasks.map((t) => ({ task: t.task, status: t.status, startedAt: t.started_at.toISOString(), finishedAt: iso(t.finished_at), error: t.error })),
      sources: sources.map((s) => ({ source: s.source, property: s.property, newestDay: s.newest_day?.toISOString().slice(0, 10) ?? null, lastSuccessAt: iso(s.last_success_at) })),
      lastBackup: backups[0] ? { id: backups[0].id, status: backups[0].status, finishedAt: iso(backups[0].finished_at), sizeBytes: backups[0].size_bytes === null ? null : Number(backups[0].size_bytes) } : null,
      lastDrill: drill ? { backupId: drill.backup_id, status: drill.status, finishedAt: drill.finished_at.toISOString(), rtoSeconds: drill.rto_seconds } : null,
      recentErrors: errors.map((e) => ({ task: e.task, occurredAt: e.occurred_at.toISOString(), error: e.error_tag, message: e.message }))
    } satisfies StatusReport
  })

export const formatStatus = (r: StatusReport) => {
  const lines = [r.ok ? "status: OK" : `status: NOT OK (${r.problems.length} problems)`]
  for (const p of r.problems) lines.push(`  ! ${p}`)
  lines.push("", "tasks:")
  for (const t of r.tasks) lines.push(`  ${t.task.padEnd(16)} ${t.status.padEnd(10)} ${t.finishedAt ?? t.startedAt}`)
  lines.push("", "sources:")
  if (r.sources.length === 0) lines.push("  (none loaded yet)")
  for (const s of r.sources) lines.push(`  ${`${s.source}/${s.property}`.padEnd(32)} newest day ${s.newestDay ?? "-"}`)
  lines.push("", `last backup: ${r.lastBackup ? `${r.lastBackup.id} ${r.lastBackup.status} ${r.lastBackup.finishedAt ?? ""}` : "none"}`)
  lines.push(`last drill:  ${r.lastDrill ? `${r.lastDrill.backupId} ${r.lastDrill.status} ${r.lastDrill.finishedAt} (RTO ${r.lastDrill.rtoSeconds.toFixed(1)} s)` : "none"}`)
  lines.push("", `errors in the last day: ${r.recentErrors.length}`)
  for (const e of r.recentErrors) lines.push(`  ${e.occurredAt} ${e.task}: ${e.error}: ${e.message}`)
  return lines.join("\n")
}
