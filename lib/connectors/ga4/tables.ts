/** GA4 tables (docs/sources/ga4.md §8). Aggregates only: no column is personal data (paths are guarded at ingest). */
import { Schema } from "effect"
import * as Table from "../../pii/Table.ts"

const n = Schema.NumberFromString
const common = { property: Schema.String, ga4_property_id: Schema.String, date: Schema.DateFromSelf, fetched_at: Schema.DateFromSelf }

export const pageDaily = Table.make({
  database: "hub", schema: "analytics", name: "ga4_page_daily", description: "GA4 page views, users and engagement per page and day.",
  row: Schema.Struct({ ...common, host_name: Schema.String, page_path: Schema.String, screen_page_views: n, active_users: n, user_engagement_duration_s: n, event_count: n, key_events: n }),
  key: ["ga4_property_id", "date", "host_name", "page_path"]
})
export const trafficDaily = Table.make({
  database: "hub", schema: "analytics", name: "ga4_traffic_daily", description: "GA4 sessions by source, medium and campaign per day.",
  row: Schema.Struct({ ...common, session_source: Schema.String, session_medium: Schema.String, session_campaign_name: Schema.String, sessions: n, engaged_sessions: n, total_users: n, key_events: n }),
  key: ["ga4_property_id", "date", "session_source", "session_medium", "session_campaign_name"]
})
export const fetchLog = Table.make({
  database: "hub", schema: "analytics", name: "ga4_fetch_log", description: "Per GA4 report and day: rows, pages, sampling, thresholding, (other), tokens.",
  row: Schema.Struct({
    ga4_property_id: Schema.String, report: Schema.String, date: Schema.DateFromSelf, row_count: Schema.Number, pages: Schema.Number,
    sampled: Schema.Boolean, subject_to_thresholding: Schema.Boolean, data_loss_from_other_row: Schema.Boolean, has_other_row: Schema.Boolean,
    time_zone: Schema.NullOr(Schema.String), tokens_consumed: Schema.NullOr(Schema.Number), tokens_remaining_today: Schema.NullOr(Schema.Number),
    fetched_at: Schema.DateFromSelf
  }),
  key: ["ga4_property_id", "report", "date"]
})

/** The table of each report (Api.ts names them). */
export const reportTables = { page: pageDaily, traffic: trafficDaily } as const

export const ga4Tables: ReadonlyArray<Table.AnyTable> = [pageDaily, trafficDaily, fetchLog]
