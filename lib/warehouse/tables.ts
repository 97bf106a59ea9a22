/** Warehouse models: what the assistant (mcp_ro) reads. No column here may hold raw personal data. */
import { Schema } from "effect"
import * as Table from "../pii/Table.ts"

export const dataFreshness = Table.make({
  database: "hub",
  schema: "warehouse",
  name: "data_freshness",
  description: "Per source and property: the newest day of data loaded, how many rows, and when its sync last succeeded.",
  row: Schema.Struct({
    source: Schema.String,
    property: Schema.String,
    newest_day: Schema.NullOr(Schema.DateFromSelf),
    rows_loaded: Schema.NumberFromString,
    last_success_at: Schema.NullOr(Schema.DateFromSelf),
    refreshed_at: Schema.DateFromSelf
  }),
  key: ["source", "property"]
})

export const warehouseTables: ReadonlyArray<Table.AnyTable> = [dataFreshness]
