/** The connector machinery's ops tables. */
import { Schema } from "effect"
import { pii } from "../pii/Pii.ts"
import * as Table from "../pii/Table.ts"

export const apiQuotaUsage = Table.make({
  database: "hub", schema: "ops", name: "api_quota_usage",
  description: "Calls spent per source, scope and day against the daily budget.",
  row: Schema.Struct({ source: Schema.String, scope: Schema.String, day: Schema.DateFromSelf, used: Schema.Number, quota_limit: Schema.Number }),
  key: ["source", "scope", "day"]
})

export const syncCursors = Table.make({
  database: "hub", schema: "ops", name: "sync_cursors",
  description: "How far each stream has loaded, committed with the rows it covers.",
  row: Schema.Struct({ source: Schema.String, stream: Schema.String, scope: Schema.String, position: Schema.String, updated_at: Schema.DateFromSelf }),
  key: ["source", "stream", "scope"]
})

export const rawPayloads = Table.make({
  database: "hub", schema: "ops", name: "raw_payloads",
  description: "API responses as received, for replay; drifted ones with their decode error.",
  row: Schema.Struct({
    id: Schema.NumberFromString,
    source: Schema.String,
    stream: Schema.String,
    scope: Schema.String,
    request: Schema.Unknown,
    // Raw API bodies may hold personal data (newsletter subscribers): treated as such.
    body: pii("free_text")(Schema.String),
    status: Schema.Literal("loaded", "drift"),
    error: Schema.NullOr(Schema.String),
    fetched_at: Schema.DateFromSelf
  }),
  key: ["id"]
})

export const syncTables: ReadonlyArray<Table.AnyTable> = [apiQuotaUsage, syncCursors, rawPayloads]
