/**
 * The Bing Webmaster Tools API's shapes (JSON endpoint; docs/sources/bing.md §3). Every answer is wrapped in
 * `{"d": …}` with WCF `__type` tags; dates are Microsoft JSON dates, `/Date(1316156400000-0700)/`: epoch
 * milliseconds plus the offset of the local midnight they stand for. The Get*Stats methods take no date range and
 * return the site's whole recent history, one row per key per weekly bucket.
 */
import { Schema } from "effect"

const msDate = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/

/**
 * The calendar day a Microsoft JSON date stands for. `/Date(1316156400000-0700)/` is 2011-09-16T07:00Z, midnight
 * of 2011-09-16 at -07:00: the day is the UTC date of the instant shifted by its offset (a naive UTC reading is a
 * day early for every positive offset).
 */
export const dayOfMsDate = (value: string): string | undefined => {
  const m = msDate.exec(value)
  if (m === null) return undefined
  const offset = m[2] === undefined ? 0 : (m[2].startsWith("-") ? -1 : 1) * (Number(m[2].slice(1, 3)) * 60 + Number(m[2].slice(3, 5)))
  return new Date(Number(m[1]) + offset * 60_000).toISOString().slice(0, 10)
}

export const MsDate = Schema.String.pipe(
  Schema.filter((s) => dayOfMsDate(s) !== undefined || "a Microsoft JSON date like /Date(1316156400000-0700)/"),
  Schema.transform(Schema.String, { strict: true, decode: (s) => dayOfMsDate(s)!, encode: (day) => `/Date(${Date.parse(`${day}T00:00:00Z`)})/` })
)

export const QueryStats = Schema.Struct({
  __type: Schema.optional(Schema.String),
  AvgClickPosition: Schema.Number,
  AvgImpressionPosition: Schema.Number,
  Clicks: Schema.Number,
  Date: MsDate,
  Impressions: Schema.Number,
  /** The query (GetQueryStats) or the page URL (GetPageStats). */
  Query: Schema.String
})

export const StatsResponse = Schema.Struct({ d: Schema.Array(QueryStats) })
export type StatsResponse = typeof StatsResponse.Type

/**
 * API faults come as `{"ErrorCode": 3, "Message": "ERROR!!! InvalidApiKey"}` with a 4xx/5xx status; the code says
 * what happened (ApiErrorCode: 3 InvalidApiKey, 4 ThrottleUser, 5 ThrottleHost, 6 UserBlocked, 14 NotAuthorized).
 */
export const classifyFault = (status: number, body: string): "retry" | "unauthorized" | "forbidden" | "default" => {
  const code = Number(/"ErrorCode"\s*:\s*(\d+)/.exec(body)?.[1] ?? Number.NaN)
  if (code === 4 || code === 5 || status === 429) return "retry"
  if (code === 3) return "unauthorized"
  if (code === 6 || code === 14) return "forbidden"
  return "default"
}
