/**
 * YouTube: the channel's videos (Data API v3: uploads playlist → videos with
 * snippet, statistics, content details) within the persisted daily unit
 * budget; every title a video has had (A/B title tests change it, the id
 * never changes); thumbnail versions by content hash (a replaced thumbnail
 * keeps its URL, so the bytes are fetched and hashed: a new hash is a change
 * event); and per-video daily views, watch time and subscribers gained from
 * the Analytics API, re-fetched over a trailing window until final; and
 * thumbnail impressions and click-through from the Reporting API's daily
 * reports (Reach.ts).
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Config, Duration, Effect, Either, Option } from "effect"
import { createHash } from "node:crypto"
import { googleAuth, googleCredentialsConfig } from "../../http/GoogleAuth.ts"
import { type Auth, call, type Drifted } from "../../http/Request.ts"
import { retryPolicyConfig } from "../../http/Retry.ts"
import type { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { addDays, dayOf } from "../../sync/Days.ts"
import { consumeQuota, storeRaw } from "../../sync/Ledger.ts"
import { firstDay, markLoaded, report as reportProgress, type SyncOptions, type SyncOutcome } from "../../sync/Run.ts"
import { AnalyticsReport, bestThumbnail, ChannelsResponse, isQuotaError, isRateLimit, PlaylistItemsResponse, type Video, VideosResponse } from "./Api.ts"
import { syncReach } from "./Reach.ts"
import { daily, videos as videosTable } from "./tables.ts"

export const source = "youtube"

export const configured = Effect.map(Config.option(Config.string("SOLOHUB_YOUTUBE_CHANNEL_ID")), Option.isSome)

export const settingsConfig = Config.all({
  channelId: Config.string("SOLOHUB_YOUTUBE_CHANNEL_ID"),
  credentials: googleCredentialsConfig("YOUTUBE"),
  dataUrl: Config.string("SOLOHUB_YOUTUBE_DATA_BASE_URL").pipe(Config.withDefault("https://www.googleapis.com/youtube/v3")),
  analyticsUrl: Config.string("SOLOHUB_YOUTUBE_ANALYTICS_BASE_URL").pipe(Config.withDefault("https://youtubeanalytics.googleapis.com/v2")),
  reportingUrl: Config.string("SOLOHUB_YOUTUBE_REPORTING_BASE_URL").pipe(Config.withDefault("https://youtubereporting.googleapis.com/v1")),
  reachReportType: Config.string("SOLOHUB_YOUTUBE_REACH_REPORT_TYPE").pipe(Config.withDefault("channel_reach_basic_a1")),
  tokenUrl: Config.string("SOLOHUB_YOUTUBE_TOKEN_URL").pipe(Config.withDefault("https://oauth2.googleapis.com/token")),
  dailyUnits: Config.integer("SOLOHUB_YOUTUBE_DAILY_UNITS").pipe(Config.withDefault(10_000)),
  refetchDays: Config.integer("SOLOHUB_YOUTUBE_REFETCH_DAYS").pipe(Config.withDefault(3)),
  initialDays: Config.integer("SOLOHUB_YOUTUBE_INITIAL_DAYS").pipe(Config.withDefault(30)),
  policy: retryPolicyConfig
})
type Settings = Config.Config.Success<typeof settingsConfig>

const classify = (status: number, body: string) => (isQuotaError(status, body) ? "quota" as const : isRateLimit(status, body) ? "retry" as const : "default" as const)

export const sync = (options: SyncOptions) =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    const ledger = options.ledger
    const auth = yield* googleAuth({
      source,
      credentials: settings.credentials,
      scopes: ["https://www.googleapis.com/auth/youtube.readonly", "https://www.googleapis.com/auth/yt-analytics.readonly"],
      tokenUrl: settings.tokenUrl
    })
    const warnings: Array<string> = []
    const failures: Array<SourceError> = []
    let rows = 0
    const today = options.today ?? dayOf(new Date())
    const spendUnits = (cost: number) =>
      Effect.flatMap(consumeQuota(ledger, { source, scope: settings.channelId, limit: settings.dailyUnits, cost }), (used) =>
        reportProgress(options, { _tag: "Quota", scope: settings.channelId, used, limit: settings.dailyUnits }))
    const data = <A, I>(stream: string, path: string, params: Record<string, string>, schema: import("effect").Schema.Schema<A, I>) =>
      call({
        source, stream, schema, auth, policy: settings.policy, classify,
        request: HttpClientRequest.get(`${settings.dataUrl}${path}`).pipe(HttpClientRequest.setUrlParams(params), HttpClientRequest.acceptJson),
        // Every Data API list call costs 1 unit, retries included.
        beforeAttempt: spendUnits(1)
      })
    const failed = (stream: string) => (problem: SourceError | Drifted | { readonly _tag: "SqlError" }) =>
      Effect.gen(function*() {
        if ("raw" in problem) {
          yield* storeRaw(ledger, { source, stream, scope: settings.channelId, request: {}, body: problem.raw, status: "drift", error: problem.error.message })
          failures.push(problem.error)
        } else if (problem._tag === "SourceError") failures.push(problem as SourceError)
        else return yield* Effect.fail(problem)
      })

    // 1. Videos: the uploads playlist, then videos in batches of 50.
    const videos = yield* Effect.either(Effect.gen(function*() {
      const channel = yield* data("videos", "/channels", { part: "contentDetails", id: settings.channelId }, ChannelsResponse)
      const uploads = channel.value.items?.[0]?.contentDetails.relatedPlaylists.uploads
      if (uploads === undefined) return [] as Array<Video>
      const ids: Array<string> = []
      let pageToken: string | undefined
      do {
        const page = yield* data("videos", "/playlistItems", { part: "contentDetails", playlistId: uploads, maxResults: "50", ...(pageToken === undefined ? {} : { pageToken }) }, PlaylistItemsResponse)
        ids.push(...page.value.items.map((i) => i.contentDetails.videoId))
        pageToken = page.value.nextPageToken
      } while (pageToken !== undefined)
      const found: Array<Video> = []
      for (let i = 0; i < ids.length; i += 50) {
        const batch = yield* data("videos", "/videos", { part: "snippet,statistics,contentDetails", id: ids.slice(i, i + 50).join(",") }, VideosResponse)
        found.push(...batch.value.items)
      }
      return found
    }))
    if (Either.isLeft(videos)) yield* failed("videos")(videos.left)
    else {
      const list = videos.right
      const fetchedAt = new Date().toISOString()
      yield* ledger.withTransaction(Effect.gen(function*() {
        yield* upsertRows(ledger, videosTable.qualified, videosTable.key, [
          { name: "channel_id", values: list.map(() => settings.channelId) },
          { name: "video_id", values: list.map((v) => v.id) },
          { name: "title", values: list.map((v) => v.snippet.title) },
          { name: "published_at", values: list.map((v) => v.snippet.publishedAt) },
          { name: "duration", values: list.map((v) => v.contentDetails.duration) },
          { name: "thumbnail_url", values: list.map((v) => bestThumbnail(v.snippet.thumbnails) ?? null) },
          { name: "views", values: list.map((v) => v.statistics.viewCount ?? null) },
          { name: "likes", values: list.map((v) => v.statistics.likeCount ?? null) },
          { name: "comments", values: list.map((v) => v.statistics.commentCount ?? null) },
          { name: "fetched_at", values: list.map(() => fetchedAt) }
        ])
        // A title is recorded when it differs from the video's latest recorded one.
        for (const v of list) {
          yield* ledger`
            INSERT INTO video.yt_video_titles (video_id, title, seen_from)
            SELECT ${v.id}, ${v.snippet.title}, ${fetchedAt}::timestamptz
             WHERE ${v.snippet.title} IS DISTINCT FROM (SELECT title FROM video.yt_video_titles WHERE video_id = ${v.id} ORDER BY seen_from DESC LIMIT 1)`
        }
      }))
      rows += list.length
      yield* reportProgress(options, { _tag: "Slice", stream: "videos", scope: settings.channelId, label: `${list.length} videos`, rows: list.length, pages: 1 })
      // 2. Thumbnails by content hash.
      const changed = yield* thumbnailVersions(settings, ledger, list, fetchedAt, warnings)
      if (changed.length > 0) warnings.push(`thumbnails changed (same URL, new image): ${changed.join(", ")}`)
    }

    // 3. Analytics per video and day, re-fetched over the trailing window (the numbers settle after 2–3 days).
    const until = options.until !== undefined && options.until < addDays(today, -1) ? options.until : addDays(today, -1)
    const from = yield* firstDay(source, options, "daily", settings.channelId, { until, refetchDays: settings.refetchDays, initialDays: settings.initialDays })
    if (from <= until) {
      const report = yield* Effect.either(analytics(settings, auth, from, until))
      if (Either.isLeft(report)) yield* failed("daily")(report.left)
      else {
        const byDay = new Map<string, Array<{ video: string; views: number; minutes: number; subs: number }>>()
        for (const r of report.right.rows) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r])
        for (let day = from; day <= until; day = addDays(day, 1)) {
          const dayRows = byDay.get(day) ?? []
          const fetchedAt = new Date().toISOString()
          yield* ledger.withTransaction(Effect.gen(function*() {
            yield* storeRaw(ledger, { source, stream: "daily", scope: settings.channelId, request: { day }, body: JSON.stringify(dayRows), status: "loaded" })
            yield* ledger`DELETE FROM video.yt_video_daily WHERE channel_id = ${settings.channelId} AND date = ${day}::date`
            yield* upsertRows(ledger, daily.qualified, daily.key, [
              { name: "channel_id", values: dayRows.map(() => settings.channelId) },
              { name: "video_id", values: dayRows.map((r) => r.video) },
              { name: "date", values: dayRows.map(() => day) },
              { name: "views", values: dayRows.map((r) => r.views) },
              { name: "watch_minutes", values: dayRows.map((r) => r.minutes) },
              { name: "subscribers_gained", values: dayRows.map((r) => r.subs) },
              { name: "fetched_at", values: dayRows.map(() => fetchedAt) }
            ])
            yield* markLoaded(ledger, source, options, "daily", settings.channelId, day)
          }))
          rows += dayRows.length
          yield* reportProgress(options, { _tag: "Slice", stream: "daily", scope: settings.channelId, label: day, rows: dayRows.length, pages: 1 })
        }
      }
    }

    // 4. Reach (impressions, click-through) from the Reporting API's daily reports.
    const reach = yield* Effect.either(syncReach({
      source, channelId: settings.channelId, reportingUrl: settings.reportingUrl, reportTypeId: settings.reachReportType, auth,
      policy: settings.policy, classify,
      // The Reporting API has a quota of its own; its requests are counted in the same persisted budget, the safe side.
      spend: spendUnits(1),
      options, today, warn: (message) => warnings.push(message), failed: failed("reach")
    }))
    if (Either.isLeft(reach)) yield* failed("reach")(reach.left)
    else rows += reach.right
    return { rows, days: 0, warnings, failures } satisfies SyncOutcome

    /** The Analytics report (dimensions day,video), every page. */
    function analytics(s: Settings, a: Auth, start: string, end: string) {
      return Effect.gen(function*() {
        const out: Array<{ day: string; video: string; views: number; minutes: number; subs: number }> = []
        for (let startIndex = 1; ; startIndex += 200) {
          const { value } = yield* call({
            source, stream: "daily", auth: a, policy: s.policy, classify, schema: AnalyticsReport,
            // Analytics has a quota of its own; counting its requests in the same persisted budget is the safe side.
            beforeAttempt: spendUnits(1),
            request: HttpClientRequest.get(`${s.analyticsUrl}/reports`).pipe(HttpClientRequest.setUrlParams({
              ids: `channel==${s.channelId}`, startDate: start, endDate: end, metrics: "views,estimatedMinutesWatched,subscribersGained",
              dimensions: "day,video", sort: "day", maxResults: "200", startIndex: String(startIndex)
            }), HttpClientRequest.acceptJson)
          })
          const column = (name: string) => value.columnHeaders.findIndex((h) => h.name === name)
          const [d, v, views, minutes, subs] = ["day", "video", "views", "estimatedMinutesWatched", "subscribersGained"].map(column)
          for (const row of value.rows ?? []) {
            out.push({ day: String(row[d!]), video: String(row[v!]), views: Number(row[views!]), minutes: Number(row[minutes!]), subs: Number(row[subs!]) })
          }
          if ((value.rows?.length ?? 0) < 200) break
        }
        return { rows: out }
      })
    }
  })

/**
 * Fetches each video's thumbnail and records a new version when its SHA-256 differs from the latest one: the URL
 * stays the same when a thumbnail is replaced, only the bytes tell. The first version seen is not a change.
 * Returns the ids whose thumbnail changed.
 */
const thumbnailVersions = (settings: Settings, ledger: SyncOptions["ledger"], list: ReadonlyArray<Video>, seenFrom: string, warnings: Array<string>) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const changed: Array<string> = []
    for (const v of list) {
      const url = bestThumbnail(v.snippet.thumbnails)
      if (url === undefined) continue
      const bytes = yield* client.get(url).pipe(
        Effect.flatMap((response) => (response.status === 200 ? response.arrayBuffer : Effect.fail(new Error(`HTTP ${response.status}`)))),
        Effect.timeout(Duration.millis(settings.policy.timeoutMillis)),
        Effect.either
      )
      if (Either.isLeft(bytes)) {
        warnings.push(`thumbnail of ${v.id} could not be fetched (${String((bytes.left as { message?: string }).message ?? bytes.left)}): its change check waits for the next run`)
        continue
      }
      const sha256 = createHash("sha256").update(Buffer.from(bytes.right)).digest("hex")
      const latest = yield* ledger<{ sha256: string }>`SELECT sha256 FROM video.yt_thumbnail_versions WHERE video_id = ${v.id} ORDER BY seen_from DESC LIMIT 1`
      if (latest[0]?.sha256 === sha256) continue
      yield* ledger`INSERT INTO video.yt_thumbnail_versions (video_id, sha256, url, bytes, seen_from) VALUES (${v.id}, ${sha256}, ${url}, ${bytes.right.byteLength}, ${seenFrom}::timestamptz)`
      if (latest.length > 0) changed.push(v.id)
    }
    return changed
  })
