import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer } from "effect"
import { generateKeyPairSync } from "node:crypto"
import * as http from "node:http"
import { afterAll } from "vitest"
import { sync } from "../../lib/connectors/youtube/YouTube.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { startYouTube, ytDaily, ytVideos } from "../support/servers/youtube.ts"
import { makeTestEnv } from "../support/TestEnv.ts"
import { conformance } from "./conformance.ts"

const today = "2026-11-22"
const channelId = "UCsolohub0000000000000a"
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 })
const videos = ytVideos("2026-11-20", 12)
const server = await startYouTube({ channelId, refreshToken: "1//yt-refresh", publicKey: keys.publicKey, videos, today })
afterAll(() => server.close())
const settings = {
  SOLOHUB_YOUTUBE_CHANNEL_ID: channelId,
  SOLOHUB_YOUTUBE_CLIENT_ID: "client.apps.googleusercontent.com",
  SOLOHUB_YOUTUBE_CLIENT_SECRET: "yt-secret",
  SOLOHUB_YOUTUBE_REFRESH_TOKEN: "1//yt-refresh",
  SOLOHUB_YOUTUBE_DATA_BASE_URL: server.url,
  SOLOHUB_YOUTUBE_ANALYTICS_BASE_URL: server.analyticsUrl,
  SOLOHUB_YOUTUBE_REPORTING_BASE_URL: server.reportingUrl,
  SOLOHUB_YOUTUBE_TOKEN_URL: server.tokenUrl,
  SOLOHUB_YOUTUBE_INITIAL_DAYS: "10"
}
const env = makeTestEnv({ ...settings, SOLOHUB_HTTP_RETRY_BASE_MS: "5", SOLOHUB_HTTP_RETRY_CAP_MS: "20" })
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const run = (overrides: Record<string, string> = {}) =>
  Effect.flatMap(HubWriter, (ledger) =>
    sync({ ledger, today }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...env.env, ...overrides }))))))
const days = Array.from({ length: 10 }, (_, i) => new Date(Date.parse("2026-11-12T00:00:00Z") + i * 86_400_000).toISOString().slice(0, 10))
const expectedDaily = days.flatMap((day) => videos.map((v, i) => ytDaily(v, i, day)).filter((d) => d !== undefined))
/** Per video and day, what the newest reports hold: impressions summed over the other dimensions, the CTR weighted by them. */
const expectedReach = () => {
  const out = new Map<string, { impressions: number; clicks: number }>()
  for (const report of server.reach.current()) {
    for (const r of report.rows) {
      const key = `${r.videoId} ${report.day}`
      const sum = out.get(key) ?? { impressions: 0, clicks: 0 }
      out.set(key, { impressions: sum.impressions + r.impressions, clicks: sum.clicks + r.impressions * r.ctr })
    }
  }
  return out
}
/** Totals held against the local API's: estimated clicks (impressions × CTR) agree to the CTR's six decimals. */
const reachMatches = Effect.gen(function*() {
  const sql = yield* HubWriter
  const [held] = yield* sql<{ rows: number; impressions: number; clicks: number; reports: number }>`
    SELECT count(*)::int AS rows, sum(impressions)::int AS impressions, sum(impressions * impressions_ctr)::float8 AS clicks,
           (SELECT count(DISTINCT date)::int FROM video.yt_reach_reports) AS reports
      FROM video.yt_reach_daily`
  const all = [...expectedReach().values()]
  expect({ rows: held!.rows, impressions: held!.impressions, reports: held!.reports }).toEqual({
    rows: all.length, impressions: all.reduce((s, r) => s + r.impressions, 0), reports: server.reach.current().length
  })
  expect(Math.abs(held!.clicks - all.reduce((s, r) => s + r.clicks, 0))).toBeLessThan(1)
})

layer(base, { timeout: 120_000, excludeTestServices: true })("YouTube against the local Data and Analytics APIs", (it) => {
  it.effect("loads the uploads with statistics, first titles and thumbnail versions, and daily views per video; units are spent per call", () =>
    Effect.gen(function*() {
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      expect(outcome.warnings.some((w) => w.startsWith("thumbnails changed"))).toBe(false)
      const sql = yield* HubWriter
      const [counts] = yield* sql<Record<string, string>>`
        SELECT (SELECT count(*)::text FROM video.yt_videos) AS videos, (SELECT count(*)::text FROM video.yt_video_titles) AS titles,
               (SELECT count(*)::text FROM video.yt_thumbnail_versions) AS thumbnails, (SELECT count(*)::text FROM video.yt_video_daily) AS daily,
               (SELECT sum(views)::text FROM video.yt_video_daily) AS views, (SELECT sum(used)::text FROM ops.api_quota_usage WHERE source = 'youtube') AS units`
      const reports = server.reach.current().length
      expect(counts).toEqual({
        videos: "12", titles: "12", thumbnails: "12", daily: String(expectedDaily.length),
        views: String(expectedDaily.reduce((s, d) => s + d!.views, 0)),
        // channels, one playlistItems page (50 a page), one videos batch, one Analytics page; the Reporting API's
        // jobs list, its reports listed 20 a page, and one download per day: every request spends a unit.
        units: String(4 + 1 + Math.ceil(reports / 20) + reports)
      })
      // Reach: every day's newest report, each video once per day (the subscribed/unsubscribed rows summed).
      yield* reachMatches
      const [one] = [...expectedReach().entries()].filter(([key]) => key.startsWith(videos[3]!.id))
      const [videoId, date] = one![0].split(" ")
      const stored = yield* sql<{ impressions: number; ctr: string }>`
        SELECT impressions::int, impressions_ctr::text AS ctr FROM video.yt_reach_daily WHERE video_id = ${videoId!} AND date = ${date!}::date`
      expect(stored[0]).toEqual({ impressions: one![1].impressions, ctr: String(Math.round((one![1].clicks / one![1].impressions) * 1e6) / 1e6) })
    }))

  it.effect("reach: a rerun downloads nothing; a late day and a backfilled day land when they appear, the backfill replacing the day", () =>
    Effect.gen(function*() {
      yield* run()
      const downloads = server.reach.downloads.length
      const quiet = yield* run()
      expect(quiet.failures).toEqual([])
      expect(server.reach.downloads.length).toBe(downloads)
      // Yesterday's report arrives late; a day from two weeks ago is corrected (a second report for the same period).
      const corrected = "2026-11-08"
      server.reach.publish(["2026-11-21", corrected])
      const later = yield* run()
      expect(later.failures).toEqual([])
      expect(server.reach.downloads.length).toBe(downloads + 2)
      yield* reachMatches
      const sql = yield* HubWriter
      const versions = yield* sql<{ reports: number; current: string }>`
        SELECT (SELECT count(*)::int FROM video.yt_reach_reports WHERE date = ${corrected}::date) AS reports,
               (SELECT string_agg(DISTINCT report_id, ',') FROM video.yt_reach_daily WHERE date = ${corrected}::date) AS current`
      expect(versions[0]).toEqual({ reports: 2, current: server.reach.current().find((r) => r.day === corrected)!.id })
    }))

  it.effect("reach: a broken CSV is drift naming line and column, its body kept; it fails only its own day, the later ones load; the rerun converges", () =>
    Effect.gen(function*() {
      server.reach.publish(["2026-11-09", "2026-11-14"])
      server.reach.downloadFaults.push({ kind: "wrong-type" })
      const outcome = yield* run()
      expect(outcome.failures.map((f) => f.reason)).toEqual(["Drift"])
      expect(outcome.failures[0]!.message).toContain("youtube/reach")
      expect(outcome.failures[0]!.message).toMatch(/line 2: video_thumbnail_impressions: expected a whole number \(got "lots"\)/)
      const sql = yield* HubWriter
      const kept = yield* sql<{ body: string }>`SELECT body FROM ops.raw_payloads WHERE source = 'youtube' AND stream = 'reach' AND status = 'drift' ORDER BY id DESC LIMIT 1`
      expect(kept[0]!.body).toContain(",lots,")
      const later = server.reach.current().find((r) => r.day === "2026-11-14")!
      expect((yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM video.yt_reach_daily WHERE report_id = ${later.id}`)[0]!.n).toBeGreaterThan(0)
      const rerun = yield* run()
      expect(rerun.failures).toEqual([])
      yield* reachMatches
    }))

  it.effect("reach: a gzip body that does not inflate is drift saying so, its bytes kept in base64; the rerun converges", () =>
    Effect.gen(function*() {
      server.reach.publish(["2026-11-17"])
      server.reach.corruptGzip = true
      const outcome = yield* run()
      server.reach.corruptGzip = false
      expect(outcome.failures.map((f) => f.reason)).toEqual(["Drift"])
      expect(outcome.failures[0]!.message).toMatch(/youtube\/reach: the response is gzip data that does not inflate \(.+; 16 bytes, kept in base64\)/)
      const sql = yield* HubWriter
      const kept = yield* sql<{ body: string }>`SELECT body FROM ops.raw_payloads WHERE source = 'youtube' AND stream = 'reach' AND status = 'drift' ORDER BY id DESC LIMIT 1`
      expect(kept[0]!.body).toMatch(/^base64:H4sI/)
      expect((yield* run()).failures).toEqual([])
      yield* reachMatches
    }))

  it.effect("reach: 429s, 5xx and resets on a download are retried to the same data", () =>
    Effect.gen(function*() {
      server.reach.publish(["2026-11-15"])
      server.reach.downloadFaults.push({ kind: "status", status: 429, headers: { "retry-after": "0" } }, { kind: "status", status: 503 }, { kind: "reset" })
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      expect(server.reach.downloadFaults).toEqual([])
      yield* reachMatches
    }))

  it.effect("reach: a report for another channel (the token is not the configured channel's) is refused, not filed under ours", () =>
    Effect.gen(function*() {
      server.reach.csvChannel = "UCsomeoneelse0000000000a"
      server.reach.publish(["2026-11-16"])
      const outcome = yield* run()
      server.reach.csvChannel = undefined
      expect(outcome.failures.map((f) => f.message)).toEqual([
        `youtube/reach: report ${server.reach.current().find((r) => r.day === "2026-11-16")!.id} is for channel UCsomeoneelse0000000000a, not ${channelId}; check that the refresh token belongs to the configured channel`
      ])
      server.reach.publish(["2026-11-16"])
      expect((yield* run()).failures).toEqual([])
      yield* reachMatches
    }))

  it.effect("reach: a download URL off the Reporting API's host is refused before the token is sent", () =>
    Effect.gen(function*() {
      const seen: Array<string | undefined> = []
      const elsewhere = http.createServer((req, res) => {
        seen.push(req.headers.authorization)
        res.end("date,video_id,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n")
      })
      yield* Effect.promise(() => new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve)))
      server.reach.downloadOrigin = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}`
      server.reach.publish(["2026-11-13"])
      const outcome = yield* run()
      server.reach.downloadOrigin = undefined
      yield* Effect.promise(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())))
      expect(outcome.failures.map((f) => f.reason)).toEqual(["Drift"])
      expect(outcome.failures[0]!.message).toContain("not the Reporting API's host")
      expect(seen).toEqual([])
      expect((yield* run()).failures).toEqual([])
      yield* reachMatches
    }))

  it.effect("reach: a listing whose next page token comes back again is stopped as drift, not paged forever", () =>
    Effect.gen(function*() {
      server.reach.loopPaging = true
      const outcome = yield* run()
      server.reach.loopPaging = false
      expect(outcome.failures.map((f) => f.message)).toEqual([`youtube/reach: the page token ${Buffer.from("20").toString("base64url")} came back twice; paging stopped`])
      expect((yield* run()).failures).toEqual([])
      yield* reachMatches
    }))

  it.effect("reach: a crash between two downloads leaves whole days only; the rerun converges", () =>
    Effect.gen(function*() {
      server.reach.publish(["2026-11-10", "2026-11-11", "2026-11-12"])
      const before = server.reach.downloads.length
      server.reach.downloadFaults.push({ kind: "pass" }, { kind: "hang" })
      const fiber = yield* Effect.fork(run({ SOLOHUB_HTTP_TIMEOUT_MS: "60000" }))
      while (server.reach.downloads.length < before + 1 || server.reach.downloadFaults.length > 0) yield* Effect.sleep("10 millis")
      yield* Effect.sleep("50 millis")
      yield* Fiber.interrupt(fiber)
      const sql = yield* HubWriter
      // Every loaded report holds exactly the rows it was loaded with: no day is half replaced.
      const torn = yield* sql<{ report_id: string }>`
        SELECT r.report_id FROM video.yt_reach_reports r
         WHERE r.report_id IN (SELECT report_id FROM video.yt_reach_daily) AND r.rows <> (SELECT count(*) FROM video.yt_reach_daily d WHERE d.report_id = r.report_id)`
      expect(torn).toEqual([])
      const loaded = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM video.yt_reach_reports WHERE date BETWEEN '2026-11-10' AND '2026-11-12' AND report_id = ANY(${server.reach.current().filter((r) => r.day >= "2026-11-10" && r.day <= "2026-11-12").map((r) => r.id)})`
      expect(loaded[0]!.n).toBe(1)
      const rerun = yield* run()
      expect(rerun.failures).toEqual([])
      yield* reachMatches
    }))

  it.effect("reach: days that expired before any run fetched them are warned about, not silently skipped", () =>
    Effect.gen(function*() {
      const sql = yield* HubWriter
      // As if the droplet was off: nothing loaded after 2026-10-20, and YouTube no longer lists reports before 2026-10-30.
      yield* sql`DELETE FROM video.yt_reach_daily WHERE date > '2026-10-20'`
      yield* sql`DELETE FROM video.yt_reach_reports WHERE date > '2026-10-20'`
      server.reach.expireBefore("2026-10-30")
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      expect(outcome.warnings).toContain("youtube/reach: reach for 2026-10-21..2026-10-29 expired before it was fetched (YouTube keeps reports about 60 days)")
      // What YouTube still has is loaded again.
      const [{ reloaded }] = (yield* sql<{ reloaded: number }>`SELECT count(DISTINCT date)::int AS reloaded FROM video.yt_reach_reports WHERE date >= '2026-10-30'`) as [{ reloaded: number }]
      expect(reloaded).toBe(server.reach.current().length)
      server.reach.expireBefore("")
    }))

  it.effect("reach: without a live job the run creates one and says when data will come; until its first report it waits, without failing or creating another", () =>
    Effect.gen(function*() {
      server.reach.jobs[0]!.expireTime = "2026-11-01T00:00:00Z"
      const first = yield* run()
      expect(first.failures).toEqual([])
      const created = server.reach.jobs[1]!
      expect(created.reportTypeId).toBe("channel_reach_basic_a1")
      expect(first.warnings).toContain(
        `youtube/reach: created the reporting job for channel_reach_basic_a1 (job ${created.id}), the previous one expired at 2026-11-01T00:00:00Z; ` +
          "YouTube publishes its first reports within about 48 hours (with up to 30 days of history), and later runs load them"
      )
      const second = yield* run()
      expect(second.failures).toEqual([])
      expect(server.reach.jobs).toHaveLength(2)
      expect(second.warnings.some((w) => w.startsWith(`youtube/reach: no report yet from job ${created.id}, created 0 h ago`))).toBe(true)
      // Its first reports: the days are loaded like any other (and replace what the old job's reports said).
      server.reach.publish(["2026-11-20", "2026-11-21"])
      const third = yield* run()
      expect(third.failures).toEqual([])
      const sql = yield* HubWriter
      const jobsUsed = yield* sql<{ job_id: string }>`SELECT DISTINCT r.job_id FROM video.yt_reach_reports r JOIN video.yt_reach_daily d USING (report_id) WHERE d.date >= '2026-11-20'`
      expect(jobsUsed.map((j) => j.job_id)).toEqual([created.id])
    }))

  it.effect("an A/B title change is a new title version of the same video id; a thumbnail replaced under the same URL is a change event — and not when nothing changed", () =>
    Effect.gen(function*() {
      const quiet = yield* run()
      expect(quiet.warnings.some((w) => w.startsWith("thumbnails changed"))).toBe(false)
      videos[2]!.title = "Video 2: the one PostgreSQL backend (new title)"
      videos[4]!.thumbnail = "thumb-v2-4"
      const changed = yield* run()
      expect(changed.warnings).toContain(`thumbnails changed (same URL, new image): ${videos[4]!.id}`)
      const sql = yield* HubWriter
      const titles = yield* sql<{ title: string }>`SELECT title FROM video.yt_video_titles WHERE video_id = ${videos[2]!.id} ORDER BY seen_from`
      expect(titles.map((t) => t.title)).toEqual(["Video 2: building a one-person backend", "Video 2: the one PostgreSQL backend (new title)"])
      const versions = yield* sql<{ n: string; urls: string }>`SELECT count(*)::text AS n, count(DISTINCT url)::text AS urls FROM video.yt_thumbnail_versions WHERE video_id = ${videos[4]!.id}`
      expect(versions[0]).toEqual({ n: "2", urls: "1" })
    }))

  it.effect("YouTube's quotaExceeded 403 stops at once as QuotaExhausted, without retries", () =>
    Effect.gen(function*() {
      server.faults.push({ kind: "status", status: 403, body: '{"error":{"code":403,"message":"The request cannot be completed because you have exceeded your quota.","errors":[{"message":"…","domain":"youtube.quota","reason":"quotaExceeded"}]}}' })
      const before = server.requests.length
      const outcome = yield* run()
      expect(outcome.failures[0]!.reason).toBe("QuotaExhausted")
      expect(server.requests.length - before).toBeGreaterThanOrEqual(1)
    }))
})

// The conformance suite gets a server of its own: the tests above moved this one's reach job and reports on.
const fresh = await startYouTube({ channelId, refreshToken: "1//yt-refresh", publicKey: keys.publicKey, videos: ytVideos("2026-11-20", 12), today })
afterAll(() => fresh.close())
const freshReach = fresh.reach.current()

conformance({
  source: "youtube",
  env: { ...settings, SOLOHUB_YOUTUBE_DATA_BASE_URL: fresh.url, SOLOHUB_YOUTUBE_ANALYTICS_BASE_URL: fresh.analyticsUrl, SOLOHUB_YOUTUBE_REPORTING_BASE_URL: fresh.reportingUrl, SOLOHUB_YOUTUBE_TOKEN_URL: fresh.tokenUrl },
  server: fresh,
  sync,
  today,
  tables: ["video.yt_videos", "video.yt_video_daily", "video.yt_reach_daily", "video.yt_reach_reports"],
  expectedRows: { "video.yt_videos": 12, "video.yt_video_daily": expectedDaily.length, "video.yt_reach_daily": new Set(freshReach.flatMap((r) => r.rows.map((row) => `${row.videoId} ${r.day}`))).size, "video.yt_reach_reports": freshReach.length },
  budgetVariable: "SOLOHUB_YOUTUBE_DAILY_UNITS",
  requestsBeforeCrash: 1
})
