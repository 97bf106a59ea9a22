/** `npm run sync -- <source>|all [--property p] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--allow-undrilled]` */
import { Options } from "@effect/cli"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Option } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { HubWriter } from "../lib/db/Connections.ts"
import { requireRestoreDrill } from "../lib/ops/Gate.ts"
import { allowUndrilledOption, dayOption, propertyOption, runSources, sourceArg } from "../lib/sync/Command.ts"

const command = Task.make(
  "sync",
  {
    which: sourceArg(true),
    property: propertyOption,
    since: dayOption("since", "First day to load").pipe(Options.optional),
    until: dayOption("until", "Last day to load").pipe(Options.optional),
    allowUndrilled: allowUndrilledOption
  },
  {
    description: "Sync sources into the hub: incremental, idempotent, within each API's limits.",
    lockKey: (config) => `sync:${config.which}`,
    layer: () => Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici)
  },
  (config) =>
    Effect.gen(function*() {
      yield* requireRestoreDrill({ allowUndrilled: config.allowUndrilled })
      yield* runSources({
        which: config.which,
        properties: config.property,
        ...Option.match(config.since, { onNone: () => ({}), onSome: (since) => ({ since }) }),
        ...Option.match(config.until, { onNone: () => ({}), onSome: (until) => ({ until }) })
      })
    })
)

Task.main(command)
