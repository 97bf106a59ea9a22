/**
 * The Search Analytics API's shapes (docs/sources/search-console.md §3).
 * Quirks: `rows` is absent (not []) when empty; `metadata.first_incomplete_date`
 * is documented in snake_case while generated clients use camelCase — both are
 * accepted; quota errors come as 403 with reason quotaExceeded/rateLimitExceeded.
 */
import { Schema } from "effect"

export const Row = Schema.Struct({
  keys: Schema.optional(Schema.Array(Schema.String)),
  clicks: Schema.Number,
  impressions: Schema.Number,
  ctr: Schema.Number,
  position: Schema.optional(Schema.Number)
})

export const QueryResponse = Schema.Struct({
  rows: Schema.optional(Schema.Array(Row)),
  responseAggregationType: Schema.optional(Schema.String),
  metadata: Schema.optional(Schema.Struct({
    first_incomplete_date: Schema.optional(Schema.String),
    firstIncompleteDate: Schema.optional(Schema.String)
  }))
})
export type QueryResponse = typeof QueryResponse.Type

/** Google's quota 403s are rate limits, not permission errors (the trap two public connectors fell into). */
export const isQuotaError = (status: number, body: string) =>
  status === 403 && /"reason"\s*:\s*"(quotaExceeded|rateLimitExceeded|userRateLimitExceeded|dailyLimitExceeded)"/.test(body)

/** The reports we pull, each a table: the dimensions after `date`. */
export const reports = {
  site: [],
  page: ["page"],
  query: ["query"],
  page_query: ["page", "query"]
} as const satisfies Record<string, ReadonlyArray<"page" | "query">>
export type Report = keyof typeof reports

export const reportTable: Record<Report, string> = {
  site: "search.gsc_site_daily",
  page: "search.gsc_page_daily",
  query: "search.gsc_query_daily",
  page_query: "search.gsc_page_query_daily"
}

/** The documented cap: at most 50,000 rows per day per search type. */
export const dailyRowCap = 50_000
