/** `npm run etl`: refresh the warehouse from the hub's sources and every product database, as warehouse_writer. */
import { Console, Effect, Layer } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { WarehouseWriter } from "../lib/db/Connections.ts"
import { runEtl } from "../lib/etl/Etl.ts"
import { Pseudonymizer } from "../lib/pii/Pseudonymize.ts"

const command = Task.make(
  "etl",
  {},
  {
    description: "Build the pseudonymized warehouse: incremental (only what changed since the last run), each model in one transaction.",
    layer: () => Layer.merge(WarehouseWriter.layer, Pseudonymizer.layer)
  },
  () =>
    Effect.gen(function*() {
      const run = yield* Task.TaskRun
      const outcomes = yield* runEtl
      const rows = outcomes.reduce((sum, o) => sum + o.rows, 0)
      yield* run.addRows(rows)
      yield* Console.log(
        `model                     slices    rows\n` +
          outcomes.map((o) => `${o.model.padEnd(24)} ${String(o.slices).padStart(7)} ${String(o.rows).padStart(7)}`).join("\n") +
          `\n${outcomes.every((o) => o.slices === 0) ? "nothing changed since the last run" : `${rows} rows written`}`
      )
    })
)

Task.main(command)
