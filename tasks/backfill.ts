/**
 * `npm run backfill -- <source> --from YYYY-MM-DD --to YYYY-MM-DD [--property p] [--allow-undrilled]`
 * One-off history: loads exactly the range, resumable (a rerun of the same range continues after the last day it
 * finished), with a progress display on a terminal and log lines otherwise.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { makeDisplay } from "../lib/cli/Progress.ts"
import * as Task from "../lib/cli/Task.ts"
import { HubWriter } from "../lib/db/Connections.ts"
import { requireRestoreDrill } from "../lib/ops/Gate.ts"
import { allowUndrilledOption, dayOption, propertyOption, runSources, sourceArg, SyncFailed } from "../lib/sync/Command.ts"
import { sources } from "../lib/sync/Sources.ts"

const command = Task.make(
  "backfill",
  {
    which: sourceArg(false),
    property: propertyOption,
    from: dayOption("from", "First day of the history to load"),
    to: dayOption("to", "Last day of the history to load"),
    allowUndrilled: allowUndrilledOption
  },
  {
    description: "Load a source's history for a date range: resumable, within the API's limits, with progress.",
    lockKey: (config) => `backfill:${config.which}`,
    layer: () => Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici)
  },
  (config) =>
    Effect.gen(function*() {
      if (config.from > config.to) return yield* new SyncFailed({ message: `--from ${config.from} is after --to ${config.to}` })
      const source = sources.find((s) => s.name === config.which)!
      const refusal = source.backfill.check(config.from, new Date().toISOString().slice(0, 10))
      if (refusal !== undefined) return yield* new SyncFailed({ message: `${source.name}: ${refusal}` })
      yield* requireRestoreDrill({ allowUndrilled: config.allowUndrilled })
      const display = makeDisplay({ label: `backfill ${source.name} ${config.from}..${config.to}` })
      yield* runSources({
        which: config.which,
        properties: config.property,
        since: config.from,
        until: config.to,
        backfill: true,
        progress: () => display.onEvent,
        after: () => Effect.flatMap(display.finish, (line) => Console.log(line))
      })
    })
)

Task.main(command)
