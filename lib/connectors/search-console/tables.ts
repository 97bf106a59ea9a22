/**
 * Search Console tables (docs/sources/search-console.md §8). No column is
 * personal data: rows are aggregates and Google drops rare (anonymized)
 * queries; the ingest guard drops query rows that look like an email or a
 * phone number before they are stored.
 */
import { Schema } from "effect"
import * as Table from "../../pii/Table.ts"

const common = {
  property: Schema.String,
  site_url: Schema.String,
  search_type: Schema.String,
  date: Schema.DateFromSelf,
  clicks: Schema.NumberFromString,
  impressions: Schema.NumberFromString,
  ctr: Schema.Number,
  position: Schema.NullOr(Schema.Number),
  aggregation_type: Schema.String,
  fetched_at: Schema.DateFromSelf
}

const key = ["site_url", "search_type", "date"]

export const siteDaily = Table.make({ database: "hub", schema: "search", name: "gsc_site_daily", description: "Search Console totals per site and day.", row: Schema.Struct(common), key })
export const pageDaily = Table.make({ database: "hub", schema: "search", name: "gsc_page_daily", description: "Search Console per page and day.", row: Schema.Struct({ ...common, page: Schema.String }), key: [...key, "page"] })
export const queryDaily = Table.make({ database: "hub", schema: "search", name: "gsc_query_daily", description: "Search Console per query and day (anonymized queries missing).", row: Schema.Struct({ ...common, query: Schema.String }), key: [...key, "query"] })
export const pageQueryDaily = Table.make({ database: "hub", schema: "search", name: "gsc_page_query_daily", description: "Search Console per page, query and day.", row: Schema.Struct({ ...common, page: Schema.String, query: Schema.String }), key: [...key, "page", "query"] })
export const fetchLog = Table.make({
  database: "hub", schema: "search", name: "gsc_fetch_log",
  description: "Per day and report: rows, pages, the 50,000-row cap, rows dropped by the ingest guard.",
  row: Schema.Struct({ site_url: Schema.String, search_type: Schema.String, date: Schema.DateFromSelf, report: Schema.String, rows_returned: Schema.Number, pages: Schema.Number, capped: Schema.Boolean, dropped_rows: Schema.Number, fetched_at: Schema.DateFromSelf }),
  key: [...key, "report"]
})

/** The table of each report (Api.ts names them). */
export const reportTables = { site: siteDaily, page: pageDaily, query: queryDaily, page_query: pageQueryDaily } as const

export const searchConsoleTables: ReadonlyArray<Table.AnyTable> = [siteDaily, pageDaily, queryDaily, pageQueryDaily, fetchLog]
