/**
 * GA4 Data API v1beta runReport shapes (docs/sources/ga4.md §3). Quirks: every
 * value is a string; proto3 JSON omits defaults (`rows` and `rowCount` are absent
 * when empty, a 0 quota counter is absent); `conversions` is now `keyEvents`.
 */
import { Schema } from "effect"

const Value = Schema.Struct({ value: Schema.optional(Schema.String) })
/** A metric value: a decimal in a string (GA4 sends "57" and "96.40350877192982" alike). */
const MetricValue = Schema.Struct({ value: Schema.optional(Schema.String.pipe(Schema.pattern(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i, { message: () => "a decimal number in a string" }))) })
const Quota = Schema.Struct({ consumed: Schema.optional(Schema.Number), remaining: Schema.optional(Schema.Number) })

export const RunReportResponse = Schema.Struct({
  dimensionHeaders: Schema.optional(Schema.Array(Schema.Struct({ name: Schema.String }))),
  metricHeaders: Schema.optional(Schema.Array(Schema.Struct({ name: Schema.String, type: Schema.optional(Schema.String) }))),
  rows: Schema.optional(Schema.Array(Schema.Struct({ dimensionValues: Schema.Array(Value), metricValues: Schema.Array(MetricValue) }))),
  rowCount: Schema.optional(Schema.Number),
  metadata: Schema.optional(Schema.Struct({
    dataLossFromOtherRow: Schema.optional(Schema.Boolean),
    samplingMetadatas: Schema.optional(Schema.Array(Schema.Struct({ samplesReadCount: Schema.optional(Schema.String), samplingSpaceSize: Schema.optional(Schema.String) }))),
    subjectToThresholding: Schema.optional(Schema.Boolean),
    timeZone: Schema.optional(Schema.String),
    currencyCode: Schema.optional(Schema.String)
  })),
  propertyQuota: Schema.optional(Schema.Struct({ tokensPerDay: Schema.optional(Quota), tokensPerHour: Schema.optional(Quota) })),
  kind: Schema.optional(Schema.String)
})
export type RunReportResponse = typeof RunReportResponse.Type

export interface ReportSpec {
  readonly table: string
  readonly dimensions: ReadonlyArray<readonly [api: string, column: string]>
  readonly metrics: ReadonlyArray<readonly [api: string, column: string]>
}

/** The reports we pull: each the dimensions after `date` and the metrics, with their column names. */
export const reports = {
  page: {
    table: "analytics.ga4_page_daily",
    dimensions: [["hostName", "host_name"], ["pagePath", "page_path"]],
    metrics: [["screenPageViews", "screen_page_views"], ["activeUsers", "active_users"], ["userEngagementDuration", "user_engagement_duration_s"], ["eventCount", "event_count"], ["keyEvents", "key_events"]]
  },
  traffic: {
    table: "analytics.ga4_traffic_daily",
    dimensions: [["sessionSource", "session_source"], ["sessionMedium", "session_medium"], ["sessionCampaignName", "session_campaign_name"]],
    metrics: [["sessions", "sessions"], ["engagedSessions", "engaged_sessions"], ["totalUsers", "total_users"], ["keyEvents", "key_events"]]
  }
} as const satisfies Record<string, ReportSpec>
export type Report = keyof typeof reports
