/** `npm run sync -- <source>|all [--property p] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--allow-undrilled]` */
import { Args, Options } from "@effect/cli"
import { NodeHttpClient } from "@effect/platform-node"
import { Console, Effect, Layer, Option, Schema } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { HubWriter } from "../lib/db/Connections.ts"
import { requireRestoreDrill } from "../lib/ops/Gate.ts"
import { TaskLedger } from "../lib/ops/TaskLedger.ts"
import { sources } from "../lib/sync/Sources.ts"

class SyncFailed extends Schema.TaggedError<SyncFailed>("solohub/SyncFailed")("SyncFailed", { message: Schema.String }) {}

const date = (name: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(`${name === "since" ? "First" : "Last"} day to load (YYYY-MM-DD)`))
const which = Args.choice([["all", "all"], ...sources.map((s): [string, string] => [s.name, s.name])], { name: "source" })
const property = Options.text("property").pipe(Options.repeated, Options.withDescription("Only these properties (sites), by their solohub name"))
const allowUndrilled = Options.boolean("allow-undrilled").pipe(Options.withDescription("Load even though no restore drill has passed (demo and tests only)"))

const command = Task.make(
  "sync",
  { which, property, since: date("since"), until: date("until"), allowUndrilled },
  {
    description: "Sync sources into the hub: incremental, idempotent, within each API's limits.",
    lockKey: (config) => `sync:${config.which}`,
    layer: () => Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici)
  },
  (config) =>
    Effect.gen(function*() {
      yield* requireRestoreDrill({ allowUndrilled: config.allowUndrilled })
      const run = yield* Task.TaskRun
      const ledger = yield* HubWriter
      const chosen = config.which === "all" ? sources : sources.filter((s) => s.name === config.which)
      const failed: Array<string> = []
      const syncOne = (source: (typeof sources)[number]) =>
        Effect.gen(function*() {
          const outcome = yield* source.sync({
            ledger,
            ...Option.match(config.since, { onNone: () => ({}), onSome: (since) => ({ since }) }),
            ...Option.match(config.until, { onNone: () => ({}), onSome: (until) => ({ until }) }),
            ...(config.property.length > 0 ? { sites: config.property } : {})
          })
          yield* run.addRows(outcome.rows)
          for (const warning of outcome.warnings) yield* run.warn(warning, { source: source.name })
          for (const failure of outcome.failures) failed.push(failure.message)
          yield* Console.log(`${source.name}: ${outcome.rows} rows over ${outcome.days} days${outcome.failures.length > 0 ? `, ${outcome.failures.length} streams failed` : ""}`)
        })
      for (const source of chosen) {
        if (!(yield* source.configured)) {
          if (config.which === "all") {
            yield* Effect.logInfo(`${source.name} is not configured: skipped`)
            continue
          }
        }
        // `sync all` also takes each source's own lock, so it never overlaps `sync <source>`.
        if (config.which === "all") {
          const ledgerLocks = yield* TaskLedger
          const locked = yield* Effect.scoped(Effect.gen(function*() {
            if (!(yield* ledgerLocks.lock(`sync:${source.name}`, 0))) return false
            yield* syncOne(source)
            return true
          }))
          if (!locked) yield* run.warn(`${source.name} is being synced by another run: skipped`)
          continue
        }
        yield* syncOne(source)
      }
      if (failed.length > 0) return yield* new SyncFailed({ message: failed.join("; ") })
    })
)


Task.main(command)
