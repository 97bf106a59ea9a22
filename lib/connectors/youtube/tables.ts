/**
 * YouTube tables (docs/sources/youtube.md §8), all keyed on the **video id** — titles change (A/B tests), ids do not.
 * Titles and thumbnails are kept as histories; a thumbnail change keeps its URL, so its bytes are hashed. Reach
 * (impressions, CTR) comes from the Reporting API's daily reports, each day replaced by its newest report.
 */
import { Schema } from "effect"
import * as Table from "../../pii/Table.ts"

const n = Schema.NullOr(Schema.Number)

export const videos = Table.make({
  database: "hub", schema: "video", name: "yt_videos", description: "The channel's videos with their current title and statistics.",
  row: Schema.Struct({
    channel_id: Schema.String, video_id: Schema.String, title: Schema.String, published_at: Schema.DateFromSelf, duration: Schema.String,
    thumbnail_url: Schema.NullOr(Schema.String), views: n, likes: n, comments: n, fetched_at: Schema.DateFromSelf
  }),
  key: ["video_id"]
})

export const titles = Table.make({
  database: "hub", schema: "video", name: "yt_video_titles", description: "Every title a video has had, from when it was first seen.",
  row: Schema.Struct({ video_id: Schema.String, title: Schema.String, seen_from: Schema.DateFromSelf }),
  key: ["video_id", "seen_from"]
})

export const thumbnails = Table.make({
  database: "hub", schema: "video", name: "yt_thumbnail_versions", description: "Thumbnail versions by content hash: a new row is a thumbnail change.",
  row: Schema.Struct({ video_id: Schema.String, sha256: Schema.String, url: Schema.String, bytes: Schema.Number, seen_from: Schema.DateFromSelf }),
  key: ["video_id", "seen_from"]
})

export const daily = Table.make({
  database: "hub", schema: "video", name: "yt_video_daily", description: "Per video and day: views, watch time, subscribers gained (Analytics API).",
  row: Schema.Struct({
    channel_id: Schema.String, video_id: Schema.String, date: Schema.DateFromSelf, views: Schema.Number, watch_minutes: Schema.Number,
    subscribers_gained: Schema.Number, fetched_at: Schema.DateFromSelf
  }),
  key: ["video_id", "date"]
})

export const reachReports = Table.make({
  database: "hub", schema: "video", name: "yt_reach_reports",
  description: "Every Reporting API reach report loaded: the day it covers, when YouTube created it (a later one for the same day is a backfill that replaces it).",
  row: Schema.Struct({
    report_id: Schema.String, channel_id: Schema.String, job_id: Schema.String, report_type_id: Schema.String, date: Schema.DateFromSelf,
    start_time: Schema.DateFromSelf, end_time: Schema.DateFromSelf, create_time: Schema.DateFromSelf, rows: Schema.Number, fetched_at: Schema.DateFromSelf
  }),
  key: ["report_id"]
})

export const reach = Table.make({
  database: "hub", schema: "video", name: "yt_reach_daily",
  description: "Per video and day: thumbnail impressions and their click-through rate (Reporting API), from the newest report for the day.",
  row: Schema.Struct({
    channel_id: Schema.String, video_id: Schema.String, date: Schema.DateFromSelf, impressions: Schema.Number, impressions_ctr: Schema.NullOr(Schema.Number),
    report_id: Schema.String, fetched_at: Schema.DateFromSelf
  }),
  key: ["video_id", "date"]
})

export const youtubeTables: ReadonlyArray<Table.AnyTable> = [videos, titles, thumbnails, daily, reachReports, reach]
