/**
 * YouTube Data API v3, Analytics API v2 and Reporting API v1 shapes (docs/sources/youtube.md §3). Data API lists page with
 * `nextPageToken`; every list call costs 1 unit of the 10,000-unit daily quota. Analytics reports come as
 * `columnHeaders` + `rows` arrays, paged with `startIndex`/`maxResults`. Quota errors are 403s with reason
 * `quotaExceeded` (the day's units) or `rateLimitExceeded`.
 */
import { ParseResult, Schema } from "effect"
import { parseCsv } from "../../imports/Csv.ts"
import { addDays } from "../../sync/Days.ts"

const Thumbnail = Schema.Struct({ url: Schema.String, width: Schema.optional(Schema.Number), height: Schema.optional(Schema.Number) })

export const ChannelsResponse = Schema.Struct({
  items: Schema.optional(Schema.Array(Schema.Struct({
    id: Schema.String,
    contentDetails: Schema.Struct({ relatedPlaylists: Schema.Struct({ uploads: Schema.String }) })
  })))
})

export const PlaylistItemsResponse = Schema.Struct({
  nextPageToken: Schema.optional(Schema.String),
  items: Schema.Array(Schema.Struct({ contentDetails: Schema.Struct({ videoId: Schema.String, videoPublishedAt: Schema.optional(Schema.String) }) }))
})

/** Statistics come as strings of digits (int64 in JSON). */
const Count = Schema.optional(Schema.NumberFromString)

export const VideosResponse = Schema.Struct({
  items: Schema.Array(Schema.Struct({
    id: Schema.String,
    snippet: Schema.Struct({
      publishedAt: Schema.String,
      title: Schema.String,
      thumbnails: Schema.Record({ key: Schema.String, value: Thumbnail })
    }),
    statistics: Schema.Struct({ viewCount: Count, likeCount: Count, commentCount: Count }),
    contentDetails: Schema.Struct({ duration: Schema.String })
  }))
})
export type Video = (typeof VideosResponse.Type)["items"][number]

export const AnalyticsReport = Schema.Struct({
  kind: Schema.optional(Schema.String),
  columnHeaders: Schema.Array(Schema.Struct({ name: Schema.String, columnType: Schema.String, dataType: Schema.String })),
  rows: Schema.optional(Schema.Array(Schema.Array(Schema.Union(Schema.String, Schema.Number))))
})

/** The best thumbnail the video has (the one whose bytes are hashed). */
export const bestThumbnail = (thumbnails: Readonly<Record<string, { readonly url: string }>>) =>
  (["maxres", "standard", "high", "medium", "default"].map((k) => thumbnails[k]).find((t) => t !== undefined))?.url

/** Google's quota and rate-limit 403s. */
export const isQuotaError = (status: number, body: string) => status === 403 && /"reason"\s*:\s*"quotaExceeded"/.test(body)
export const isRateLimit = (status: number, body: string) => status === 403 && /"reason"\s*:\s*"(rateLimitExceeded|userRateLimitExceeded)"/.test(body)

/**
 * Reporting API v1 (docs/sources/youtube.md, "Reporting API"): jobs, the reports a job has produced, and the CSV
 * each report downloads as. Timestamps are RFC 3339 in UTC, to the microsecond.
 */
const Timestamp = Schema.String.pipe(Schema.filter((s) => !Number.isNaN(Date.parse(s)), { message: (s) => `an RFC 3339 timestamp (got ${JSON.stringify(s.actual)})` }))

export const Job = Schema.Struct({
  id: Schema.String,
  reportTypeId: Schema.String,
  name: Schema.optional(Schema.String),
  createTime: Timestamp,
  /** After it, the job produces no new reports. */
  expireTime: Schema.optional(Timestamp),
  systemManaged: Schema.optional(Schema.Boolean)
})
export type Job = typeof Job.Type

export const JobsResponse = Schema.Struct({ jobs: Schema.optional(Schema.Array(Job)), nextPageToken: Schema.optional(Schema.String) })

export const Report = Schema.Struct({
  id: Schema.String,
  jobId: Schema.String,
  /** The period the report covers: start inclusive, end exclusive. */
  startTime: Timestamp,
  endTime: Timestamp,
  createTime: Timestamp,
  jobExpireTime: Schema.optional(Timestamp),
  downloadUrl: Schema.String
})
export type Report = typeof Report.Type

export const ReportsResponse = Schema.Struct({ reports: Schema.optional(Schema.Array(Report)), nextPageToken: Schema.optional(Schema.String) })

/** YouTube's days are Pacific days: a report's period starts at midnight America/Los_Angeles. */
const pacific = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles", year: "numeric", month: "2-digit", day: "2-digit" })
export const pacificDay = (timestamp: string) => pacific.format(new Date(timestamp))

/** Midnight of a Pacific day as an instant: 08:00Z in standard time, 07:00Z in daylight time (switches at 2 am). */
export const pacificMidnight = (day: string) => {
  for (const offset of [8, 7]) {
    const t = new Date(Date.parse(`${day}T00:00:00Z`) + offset * 3_600_000).toISOString()
    if (pacificDay(t) === day && pacificDay(new Date(Date.parse(t) - 1).toISOString()) !== day) return t
  }
  throw new Error(`no Pacific midnight found for ${day}`)
}

/**
 * The Pacific day a daily report covers, or undefined when its period is not exactly one day from midnight to
 * midnight (23 or 25 hours on the days the clocks change): such a report would replace days it is not filed under.
 */
export const reportDay = (report: Pick<Report, "startTime" | "endTime">) => {
  const day = pacificDay(report.startTime)
  return Date.parse(report.startTime) === Date.parse(pacificMidnight(day)) && Date.parse(report.endTime) === Date.parse(pacificMidnight(addDays(day, 1)))
    ? day
    : undefined
}

/**
 * A timestamp as a string that sorts in time order to the microsecond (Date.parse stops at the millisecond, and two
 * reports' createTimes may share one).
 */
export const instantKey = (timestamp: string) => {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(timestamp)
  if (m !== null) return `${m[1]}.${(m[2] ?? "").padEnd(6, "0").slice(0, 6)}Z`
  return new Date(timestamp).toISOString().replace("Z", "000Z")
}

/** One video's thumbnail reach on one day, summed over the report's other dimensions. */
const ReachDay = Schema.Struct({
  date: Schema.String,
  /** The report's channel_id, when it has that column (a token for another channel would show here). */
  channelId: Schema.NullOr(Schema.String),
  videoId: Schema.String,
  impressions: Schema.Number,
  /** Impressions-weighted over the rows that carried a CTR; null when none did (never made up as 0). */
  ctr: Schema.NullOr(Schema.Number)
})

const reachColumns = ["date", "video_id", "video_thumbnail_impressions", "video_thumbnail_impressions_ctr"] as const

/**
 * A reach report's CSV (`channel_reach_basic_a1`): a header row naming the columns, then one row per combination of
 * its dimensions. Columns are found by name (their order is not promised); dimensions beyond date and video are
 * summed over, so each video and day comes out once with its impressions and impressions-weighted CTR. A missing
 * column, a malformed line, a number that is not one or a CTR outside 0–1 is drift, named by line and column.
 */
export const ReachCsv = Schema.transformOrFail(Schema.String, Schema.Array(ReachDay), {
  strict: true,
  decode: (text, _, ast) => {
    const bad = (message: string) => ParseResult.fail(new ParseResult.Type(ast, text, message))
    let records: ReturnType<typeof parseCsv>
    try {
      records = parseCsv(text)
    } catch (e) {
      return bad(`the report is not valid CSV: ${(e as Error).message}`)
    }
    const [header, ...lines] = records
    if (header === undefined) return bad("the report is empty: not even a header row")
    const at = Object.fromEntries(reachColumns.map((c) => [c, header.fields.indexOf(c)]))
    const missing = reachColumns.filter((c) => at[c]! < 0)
    if (missing.length > 0) return bad(`the report lacks the column(s) ${missing.join(", ")} (it has: ${header.fields.join(", ")})`)
    const channelAt = header.fields.indexOf("channel_id")
    const sums = new Map<string, { date: string; channelId: string | null; videoId: string; impressions: number; clicks: number; withCtr: number }>()
    for (const record of lines) {
      if (record.fields.length !== header.fields.length) return bad(`line ${record.line}: ${record.fields.length} fields where the header has ${header.fields.length}`)
      const cell = (c: (typeof reachColumns)[number]) => record.fields[at[c]!]!
      const rawDate = cell("date")
      const date = /^\d{8}$/.test(rawDate) ? `${rawDate.slice(0, 4)}-${rawDate.slice(4, 6)}-${rawDate.slice(6)}` : rawDate
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return bad(`line ${record.line}: date: expected YYYYMMDD (got ${JSON.stringify(rawDate)})`)
      const impressions = cell("video_thumbnail_impressions")
      if (!/^\d+$/.test(impressions)) return bad(`line ${record.line}: video_thumbnail_impressions: expected a whole number (got ${JSON.stringify(impressions)})`)
      const rawCtr = cell("video_thumbnail_impressions_ctr")
      const ctr = rawCtr === "" ? null : Number(rawCtr)
      if (ctr !== null && !(Number.isFinite(ctr) && ctr >= 0 && ctr <= 1)) {
        return bad(`line ${record.line}: video_thumbnail_impressions_ctr: expected a ratio from 0 to 1 (got ${JSON.stringify(rawCtr)})`)
      }
      const channelId = channelAt < 0 ? null : record.fields[channelAt]!
      const key = `${date}\u0000${channelId}\u0000${cell("video_id")}`
      const sum = sums.get(key) ?? { date, channelId, videoId: cell("video_id"), impressions: 0, clicks: 0, withCtr: 0 }
      sum.impressions += Number(impressions)
      if (ctr !== null) {
        sum.clicks += Number(impressions) * ctr
        sum.withCtr += Number(impressions)
      }
      sums.set(key, sum)
    }
    return ParseResult.succeed([...sums.values()].map((s) => ({
      date: s.date, channelId: s.channelId, videoId: s.videoId, impressions: s.impressions,
      ctr: s.withCtr > 0 ? Math.round((s.clicks / s.withCtr) * 1e6) / 1e6 : null
    })))
  },
  encode: (_, __, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, _, "reach reports are only read"))
})
