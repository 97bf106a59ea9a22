/**
 * The Clarity Data Export API's shapes (docs/sources/clarity.md §3). One
 * operation returns an array of metric groups, each with untyped rows: the
 * metric's measures plus one key per requested dimension. Numbers come as
 * JSON numbers or as numeric strings (the documented sample mixes both), so
 * both are accepted; anything else is drift.
 */
import { Schema } from "effect"

/** A number, or a string holding one ("188", "52.36"). */
export const Numeric = Schema.Union(
  Schema.Number,
  Schema.String.pipe(Schema.pattern(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, { message: () => "a number or a numeric string" }))
)
const measure = Schema.optional(Schema.NullOr(Numeric))

export const InformationRow = Schema.Struct({
  // The dimension key for URL; the docs name the dimension "URL", observed rows use "Url".
  Url: Schema.optional(Schema.String),
  URL: Schema.optional(Schema.String),
  // Traffic
  totalSessionCount: measure,
  totalBotSessionCount: measure,
  distantUserCount: measure,
  PagesPerSessionPercentage: measure,
  // Scroll depth
  averageScrollDepth: measure,
  // Engagement time (seconds)
  totalTime: measure,
  activeTime: measure,
  // Click/behaviour metrics (dead, rage, quickback, excessive scroll, script errors, error clicks)
  sessionsCount: measure,
  sessionsWithMetricPercentage: measure,
  sessionsWithoutMetricPercentage: measure,
  pagesViews: measure,
  subTotal: measure
})
export type InformationRow = typeof InformationRow.Type

export const MetricGroup = Schema.Struct({
  metricName: Schema.String,
  information: Schema.Array(InformationRow)
})

export const LiveInsights = Schema.Array(MetricGroup)
export type LiveInsights = typeof LiveInsights.Type

/** The metrics we load, by their `metricName`; the rest (Browser, OS, PopularPages…) are kept only raw. */
export const loadedMetrics = [
  "Traffic",
  "ScrollDepth",
  "EngagementTime",
  "DeadClickCount",
  "RageClickCount",
  "QuickbackClick",
  "ExcessiveScroll",
  "ScriptErrorCount",
  "ErrorClickCount"
] as const

/** The documented cap: a response holds at most 1,000 rows per metric, and there is no paging. */
export const rowCap = 1000
/** The documented quota: 10 requests per project per day. */
export const dailyCallLimit = 10
