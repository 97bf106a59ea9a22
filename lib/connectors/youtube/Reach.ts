/**
 * YouTube reach — thumbnail impressions and click-through per video and day — from the Reporting API, the only
 * place they are published. Its traps: nothing is produced until a reporting job exists (so the first run creates
 * one and the data starts a day or two later); reports arrive a day or more late, one CSV per day; a corrected day
 * comes back as a new report for the same period (a backfill) that replaces the old one; and reports expire after
 * about 60 days, so a day not fetched in time is lost. Every run therefore lists every report the channel's jobs for
 * the report type still have, takes the newest per day, and downloads only those it has not loaded: late days and
 * backfills land whenever they appear, a day loaded once is never fetched again unless YouTube replaces it, and one
 * bad report fails only itself.
 */
import { HttpClientRequest } from "@effect/platform"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Either } from "effect"
import type { Auth, Classify, Drifted } from "../../http/Request.ts"
import { call } from "../../http/Request.ts"
import type { RetryPolicy } from "../../http/Retry.ts"
import { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { addDays } from "../../sync/Days.ts"
import { storeRaw } from "../../sync/Ledger.ts"
import { markLoaded, report as reportProgress, type SyncOptions } from "../../sync/Run.ts"
import { instantKey, Job, JobsResponse, pacificDay, pacificMidnight, ReachCsv, type Report, reportDay, ReportsResponse } from "./Api.ts"
import { reach as reachTable } from "./tables.ts"

export interface ReachContext {
  readonly source: string
  readonly channelId: string
  readonly reportingUrl: string
  /** `channel_reach_basic_a1` unless configured otherwise (a new version of the report type gets a new id). */
  readonly reportTypeId: string
  readonly auth: Auth
  readonly policy: RetryPolicy
  readonly classify: Classify
  /** Spends the persisted budget before every attempt. */
  readonly spend: Effect.Effect<void, SourceError | SqlError>
  readonly options: SyncOptions
  readonly today: string
  readonly warn: (message: string) => void
  /** Records a report that could not be loaded (kept for replay when it drifted); the other reports go on. */
  readonly failed: (problem: SourceError | Drifted) => Effect.Effect<void, { readonly _tag: "SqlError" }>
}

const stream = "reach"
/** How long after a job is created YouTube says its first reports appear. */
const firstReportHours = 48

export const syncReach = (ctx: ReachContext) =>
  Effect.gen(function*() {
    const ledger = ctx.options.ledger
    const drift = (message: string) => new SourceError({ source: ctx.source, stream, reason: "Drift", message: `${ctx.source}/${stream}: ${message}` })
    const get = <A, I>(url: string, params: Record<string, string>, schema: import("effect").Schema.Schema<A, I>) =>
      call({
        source: ctx.source, stream, schema, auth: ctx.auth, policy: ctx.policy, classify: ctx.classify, beforeAttempt: ctx.spend,
        request: HttpClientRequest.get(url).pipe(HttpClientRequest.setUrlParams(params), HttpClientRequest.acceptJson)
      })
    const pages = <A, E, R>(fetch: (pageToken: string | undefined) => Effect.Effect<{ readonly items: ReadonlyArray<A>; readonly next: string | undefined }, E, R>) =>
      Effect.gen(function*() {
        const all: Array<A> = []
        const seen = new Set<string>()
        let pageToken: string | undefined
        do {
          const page = yield* fetch(pageToken)
          all.push(...page.items)
          pageToken = page.next
          // A token handed out twice would page forever.
          if (pageToken !== undefined && seen.has(pageToken)) return yield* drift(`the page token ${pageToken} came back twice; paging stopped`)
          if (pageToken !== undefined) seen.add(pageToken)
        } while (pageToken !== undefined)
        return all
      })

    // 1. The job: reports exist only for a job, and only from about two days after it was created.
    const now = Date.now()
    const jobs = yield* pages((pageToken) =>
      Effect.map(get(`${ctx.reportingUrl}/jobs`, pageToken === undefined ? {} : { pageToken }, JobsResponse), (r) => ({ items: r.value.jobs ?? [], next: r.value.nextPageToken })))
    const ours = jobs.filter((j) => j.reportTypeId === ctx.reportTypeId && j.systemManaged !== true)
    const live = ours.find((j) => j.expireTime === undefined || Date.parse(j.expireTime) > now)
    if (live === undefined) {
      const expired = ours.map((j) => j.expireTime!).sort().at(-1)
      const created = yield* call({
        source: ctx.source, stream, schema: Job, auth: ctx.auth, policy: ctx.policy, classify: ctx.classify, beforeAttempt: ctx.spend,
        request: HttpClientRequest.post(`${ctx.reportingUrl}/jobs`).pipe(
          HttpClientRequest.bodyUnsafeJson({ reportTypeId: ctx.reportTypeId, name: `solohub ${ctx.reportTypeId}` }),
          HttpClientRequest.acceptJson
        )
      }).pipe(Effect.mapError((e) =>
        e instanceof SourceError && e.reason === "BadRequest"
          ? new SourceError({
            ...e,
            message: `${e.message}\nYouTube refused a job for report type ${ctx.reportTypeId}; if it was deprecated or renamed, set SOLOHUB_YOUTUBE_REACH_REPORT_TYPE to its successor (see docs/sources/youtube.md)`
          })
          : e
      ))
      ctx.warn(
        `${ctx.source}/${stream}: created the reporting job for ${ctx.reportTypeId} (job ${created.value.id})` +
          (expired === undefined ? "" : `, the previous one expired at ${expired}`) +
          `; YouTube publishes its first reports within about ${firstReportHours} hours (with up to 30 days of history), and later runs load them`
      )
    }

    // 2. Every report the jobs still have (an expired job's reports stay downloadable for a while), newest per day.
    const range = {
      ...(ctx.options.since === undefined ? {} : { startTimeAtOrAfter: pacificMidnight(ctx.options.since) }),
      ...(ctx.options.until === undefined ? {} : { startTimeBefore: pacificMidnight(addDays(ctx.options.until, 1)) })
    }
    const reports: Array<Report> = []
    for (const job of ours) {
      const listed = yield* pages((pageToken) =>
        Effect.map(
          get(`${ctx.reportingUrl}/jobs/${encodeURIComponent(job.id)}/reports`, { ...range, ...(pageToken === undefined ? {} : { pageToken }) }, ReportsResponse),
          (r) => ({ items: r.value.reports ?? [], next: r.value.nextPageToken })
        ))
      reports.push(...listed)
      if (job === live && listed.length === 0 && ctx.options.since === undefined) {
        const waited = Math.round((now - Date.parse(live.createTime)) / 3_600_000)
        ctx.warn(
          waited < firstReportHours + 24
            ? `${ctx.source}/${stream}: no report yet from job ${live.id}, created ${waited} h ago; YouTube publishes the first within about ${firstReportHours} hours`
            : `${ctx.source}/${stream}: job ${live.id} was created ${waited} h ago and has no report; check that the channel has data and the Reporting API is enabled`
        )
      }
    }
    if (reports.length === 0) return 0
    const newest = new Map<string, Report>()
    for (const r of reports) {
      const day = pacificDay(r.startTime)
      const held = newest.get(day)
      if (held === undefined || instantKey(r.createTime) > instantKey(held.createTime) || (r.createTime === held.createTime && r.id > held.id)) newest.set(day, r)
    }

    const loaded = yield* ledger<{ report_id: string; date: string }>`
      SELECT report_id, to_char(date, 'YYYY-MM-DD') AS date FROM video.yt_reach_reports WHERE channel_id = ${ctx.channelId}`
    const loadedIds = new Set(loaded.map((r) => r.report_id))
    const newestLoaded = loaded.map((r) => r.date).sort().at(-1)
    const days = [...newest.keys()].sort()
    // A gap between what was loaded and the oldest report still listed expired before any run fetched it.
    if (newestLoaded !== undefined && ctx.options.since === undefined && days[0]! > addDays(newestLoaded, 1)) {
      ctx.warn(`${ctx.source}/${stream}: reach for ${addDays(newestLoaded, 1)}..${addDays(days[0]!, -1)} expired before it was fetched (YouTube keeps reports about 60 days)`)
    }
    const todo = days.filter((d) => !loadedIds.has(newest.get(d)!.id))
    yield* reportProgress(ctx.options, { _tag: "Planned", stream, scope: ctx.channelId, slices: todo.length })

    // 3. Each new report replaces its day, with its record, in one transaction; a bad report fails only itself.
    let rows = 0
    for (const day of todo) {
      const loadedRows = yield* Effect.either(loadReport(ctx, newest.get(day)!, day, drift))
      if (Either.isRight(loadedRows)) {
        rows += loadedRows.right
        continue
      }
      const problem = loadedRows.left
      // The budget being spent stops the stream: every further report would hit it too.
      if (problem instanceof SourceError && problem.reason === "QuotaExhausted") return yield* problem
      if (!(problem instanceof SourceError) && !("raw" in problem)) return yield* problem
      yield* ctx.failed(problem)
    }

    // Reports arrive a day or two late; a longer silence is worth a line in the run's warnings.
    const latest = days.at(-1)!
    if (ctx.options.until === undefined && latest < addDays(ctx.today, -4)) {
      ctx.warn(`${ctx.source}/${stream}: the newest reach report is for ${latest}; YouTube normally publishes a day within two days`)
    }
    return rows
  })

/** Downloads one report and replaces its day with it (rows, the report's record, the cursor) in one transaction. */
const loadReport = (ctx: ReachContext, report: Report, day: string, drift: (message: string) => SourceError) =>
  Effect.gen(function*() {
    const ledger = ctx.options.ledger
    const stale = yield* ledger<{ newer: boolean }>`
      SELECT true AS newer FROM video.yt_reach_reports WHERE channel_id = ${ctx.channelId} AND date = ${day}::date AND create_time > ${report.createTime}::timestamptz LIMIT 1`
    if (stale.length > 0) return 0
    if (reportDay(report) !== day) {
      return yield* drift(`report ${report.id} covers ${report.startTime}..${report.endTime}, not one Pacific day; it is not loaded`)
    }
    // The download carries the channel's access token: it goes to the Reporting API's own host or nowhere.
    if (originOf(report.downloadUrl) !== originOf(ctx.reportingUrl)) {
      return yield* drift(
        `report ${report.id} is to be downloaded from ${originOf(report.downloadUrl) ?? "an invalid URL"}, not the Reporting API's host ${originOf(ctx.reportingUrl)}; the token is not sent there`
      )
    }
    const download = yield* call({
      source: ctx.source, stream, schema: ReachCsv, format: "text", auth: ctx.auth, policy: ctx.policy, classify: ctx.classify, beforeAttempt: ctx.spend,
      request: HttpClientRequest.get(report.downloadUrl).pipe(HttpClientRequest.setHeader("accept-encoding", "gzip"))
    })
    const list = download.value
    const outside = list.find((r) => r.date !== day)
    if (outside !== undefined) return yield* Effect.fail<Drifted>({ error: drift(`report ${report.id} covers ${day} but has a row for ${outside.date} (video ${outside.videoId})`), raw: download.raw })
    // Jobs belong to whichever channel the token is for: another channel's reach must not be filed under ours.
    const foreign = list.find((r) => r.channelId !== null && r.channelId !== ctx.channelId)
    if (foreign !== undefined) {
      return yield* Effect.fail<Drifted>({
        error: drift(`report ${report.id} is for channel ${foreign.channelId}, not ${ctx.channelId}; check that the refresh token belongs to the configured channel`),
        raw: download.raw
      })
    }
    const fetchedAt = new Date().toISOString()
    yield* ledger.withTransaction(Effect.gen(function*() {
      yield* storeRaw(ledger, { source: ctx.source, stream, scope: ctx.channelId, request: { report: report.id, day }, body: download.raw, status: "loaded" })
      yield* ledger`
        INSERT INTO video.yt_reach_reports (report_id, channel_id, job_id, report_type_id, date, start_time, end_time, create_time, rows, fetched_at)
        VALUES (${report.id}, ${ctx.channelId}, ${report.jobId}, ${ctx.reportTypeId}, ${day}::date, ${report.startTime}::timestamptz,
                ${report.endTime}::timestamptz, ${report.createTime}::timestamptz, ${list.length}, ${fetchedAt}::timestamptz)
        ON CONFLICT (report_id) DO UPDATE SET rows = EXCLUDED.rows, fetched_at = EXCLUDED.fetched_at`
      yield* ledger`DELETE FROM video.yt_reach_daily WHERE channel_id = ${ctx.channelId} AND date = ${day}::date`
      yield* upsertRows(ledger, reachTable.qualified, reachTable.key, [
        { name: "channel_id", values: list.map(() => ctx.channelId) },
        { name: "video_id", values: list.map((r) => r.videoId) },
        { name: "date", values: list.map((r) => r.date) },
        { name: "impressions", values: list.map((r) => r.impressions) },
        { name: "impressions_ctr", values: list.map((r) => r.ctr) },
        { name: "report_id", values: list.map(() => report.id) },
        { name: "fetched_at", values: list.map(() => fetchedAt) }
      ])
      yield* markLoaded(ledger, ctx.source, ctx.options, stream, ctx.channelId, day)
    }))
    yield* reportProgress(ctx.options, { _tag: "Slice", stream, scope: ctx.channelId, label: day, rows: list.length, pages: 1 })
    return list.length
  })

const originOf = (url: string) => (URL.canParse(url) ? new URL(url).origin : undefined)
