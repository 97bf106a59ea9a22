/** A task used by the runner's tests: counts rows, warns, sleeps, fails on request. */
import { Options } from "@effect/cli"
import { Effect, Redacted, Schema } from "effect"
import * as Task from "../../../lib/cli/Task.ts"
import { HubWriter } from "../../../lib/db/Connections.ts"

class FixtureError extends Schema.TaggedError<FixtureError>()("FixtureError", {
  message: Schema.String,
  apiKey: Schema.Redacted(Schema.String)
}) {}

const fixture = Task.make(
  "fixture",
  {
    sleep: Options.integer("sleep").pipe(Options.withDefault(0), Options.withDescription("milliseconds to hold the lock")),
    fail: Options.boolean("fail").pipe(Options.withDescription("fail with an error that carries a secret")),
    token: Options.redacted("token").pipe(Options.optional, Options.withDescription("a secret option"))
  },
  { description: "Test fixture for the task runner.", layer: () => HubWriter.layer },
  (config) =>
    Effect.gen(function*() {
      const run = yield* Task.TaskRun
      const sql = yield* HubWriter
      yield* sql`SELECT 1`
      yield* run.addRows(7)
      yield* run.warn("a warning", { page: 3 })
      if (config.sleep > 0) yield* Effect.sleep(config.sleep)
      if (config.fail) {
        return yield* new FixtureError({ message: "it broke on purpose", apiKey: Redacted.make("s3cret-value") })
      }
    })
)

Task.main(fixture)
