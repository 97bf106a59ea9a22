import { Schema } from "effect"
import * as Table from "../pii/Table.ts"

export const triggerReadings = Table.make({
  database: "hub",
  schema: "ops",
  name: "trigger_readings",
  description: "Each scaling-backlog trigger as measured by npm run triggers: the value, and whether it fired.",
  row: Schema.Struct({
    id: Schema.NumberFromString,
    taken_at: Schema.DateFromSelf,
    item_id: Schema.String,
    metric: Schema.NullOr(Schema.String),
    value: Schema.NullOr(Schema.Number),
    status: Schema.Literal("fired", "not_yet", "not_measurable"),
    note: Schema.NullOr(Schema.String)
  }),
  key: ["id"]
})

export const backlogTables: ReadonlyArray<Table.AnyTable> = [triggerReadings]
