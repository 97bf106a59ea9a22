/**
 * Clarity tables (docs/sources/clarity.md §8): behaviour and friction per URL
 * and day. Aggregates only; URLs are guarded at ingest (an email or phone in a
 * query string is redacted).
 */
import { Schema } from "effect"
import * as Table from "../../pii/Table.ts"

const n = Schema.NullOr(Schema.Number)

export const pageDaily = Table.make({
  database: "hub", schema: "behaviour", name: "clarity_page_daily",
  description: "Clarity behaviour and friction per URL: sessions, scroll depth, engagement, dead/rage clicks, quick backs, errors. A row covers `window_days` days ending on `date`.",
  row: Schema.Struct({
    project: Schema.String, date: Schema.DateFromSelf, url: Schema.String, window_days: Schema.Number,
    sessions: n, bot_sessions: n, distinct_users: n, pages_per_session: n,
    scroll_depth_avg: n, engagement_total_s: n, engagement_active_s: n,
    dead_clicks: n, dead_click_sessions_pct: n, rage_clicks: n, rage_click_sessions_pct: n,
    quickbacks: n, quickback_sessions_pct: n, excessive_scrolls: n, script_errors: n, error_clicks: n,
    fetched_at: Schema.DateFromSelf
  }),
  key: ["project", "date", "url"]
})

export const fetchLog = Table.make({
  database: "hub", schema: "behaviour", name: "clarity_fetch_log",
  description: "Per Clarity project and day: the window fetched, when, how many rows per metric, and which metrics hit the 1,000-row cap.",
  row: Schema.Struct({
    project: Schema.String, date: Schema.DateFromSelf, window_days: Schema.Number, window_end: Schema.DateFromSelf,
    urls: Schema.Number, metrics: Schema.Array(Schema.String), capped_metrics: Schema.Array(Schema.String), fetched_at: Schema.DateFromSelf
  }),
  key: ["project", "date"]
})

export const clarityTables: ReadonlyArray<Table.AnyTable> = [pageDaily, fetchLog]
