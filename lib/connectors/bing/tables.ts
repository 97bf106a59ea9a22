/**
 * Bing Webmaster Tools tables (docs/sources/bing.md §8): the same shape as Search Console's where it makes sense,
 * but per **week** (Bing's buckets), so the scorecard can put Bing beside Google. Aggregates only; query rows that
 * look like an email or phone number are dropped at ingest.
 */
import { Schema } from "effect"
import * as Table from "../../pii/Table.ts"

const common = {
  property: Schema.String, site_url: Schema.String, week: Schema.DateFromSelf,
  clicks: Schema.NumberFromString, impressions: Schema.NumberFromString,
  avg_click_position: Schema.Number, avg_impression_position: Schema.Number, fetched_at: Schema.DateFromSelf
}

export const queryWeekly = Table.make({
  database: "hub", schema: "search", name: "bing_query_weekly", description: "Bing search per query and week.",
  row: Schema.Struct({ ...common, query: Schema.String }), key: ["site_url", "week", "query"]
})
export const pageWeekly = Table.make({
  database: "hub", schema: "search", name: "bing_page_weekly", description: "Bing search per page and week.",
  row: Schema.Struct({ ...common, page: Schema.String }), key: ["site_url", "week", "page"]
})
export const fetchLog = Table.make({
  database: "hub", schema: "search", name: "bing_fetch_log", description: "Per Bing site, stream and week: rows loaded and when.",
  row: Schema.Struct({ site_url: Schema.String, stream: Schema.String, week: Schema.DateFromSelf, rows: Schema.Number, dropped_rows: Schema.Number, fetched_at: Schema.DateFromSelf }),
  key: ["site_url", "stream", "week"]
})

export const bingTables: ReadonlyArray<Table.AnyTable> = [queryWeekly, pageWeekly, fetchLog]
