import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { generateKeyPairSync } from "node:crypto"
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
      expect(counts).toEqual({
        videos: "12", titles: "12", thumbnails: "12", daily: String(expectedDaily.length),
        views: String(expectedDaily.reduce((s, d) => s + d!.views, 0)),
        // channels, one playlistItems page (50 a page), one videos batch, one Analytics page: 4 requests, 4 units.
        units: "4"
      })
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

conformance({
  source: "youtube",
  env: settings,
  server,
  sync,
  today,
  tables: ["video.yt_videos", "video.yt_video_daily"],
  expectedRows: { "video.yt_videos": 12, "video.yt_video_daily": expectedDaily.length },
  budgetVariable: "SOLOHUB_YOUTUBE_DAILY_UNITS",
  requestsBeforeCrash: 1
})
