/** Attribution checks (docs/attribution.md). */
import { Schema } from "effect"
import * as Table from "../pii/Table.ts"

export const utmChecks = Table.make({
  database: "hub", schema: "ops", name: "utm_checks",
  description: "Tagged links traced through their redirects (were the UTM parameters kept?) and then found, or not, in GA4.",
  row: Schema.Struct({
    id: Schema.NumberFromString, url: Schema.String, tagged_url: Schema.String,
    utm_source: Schema.String, utm_medium: Schema.String, utm_campaign: Schema.String,
    hops: Schema.Unknown, final_url: Schema.NullOr(Schema.String), kept: Schema.Boolean, problem: Schema.NullOr(Schema.String),
    checked_at: Schema.DateFromSelf, ga4_sessions: Schema.NullOr(Schema.Number), ga4_first_day: Schema.NullOr(Schema.DateFromSelf),
    ga4_seen_as: Schema.NullOr(Schema.String), verified_at: Schema.NullOr(Schema.DateFromSelf),
    outcome: Schema.NullOr(Schema.Literal("seen", "missing"))
  }),
  key: ["id"]
})

export const attributionTables: ReadonlyArray<Table.AnyTable> = [utmChecks]
