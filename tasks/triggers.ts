/** `npm run triggers`: measure every backlog trigger, record the readings, exit 3 when one newly fires. */
import { Console, Effect, Option } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { backlog } from "../lib/backlog/items.ts"
import { measure } from "../lib/backlog/Metrics.ts"
import { evaluate, formatTriggers } from "../lib/backlog/Triggers.ts"
import { settingsConfig } from "../lib/config/Settings.ts"
import { Admin, HubWriter } from "../lib/db/Connections.ts"
import { Cluster } from "../lib/db/Cluster.ts"
import { Layout } from "../lib/db/Layout.ts"
import { Layer } from "effect"

const command = Task.make(
  "triggers",
  {},
  { description: "Measure the scaling backlog's triggers against the live system.", layer: () => Layer.merge(Admin.layer, HubWriter.layer) },
  () =>
    Effect.gen(function*() {
      const admin = yield* Admin
      const layout = yield* Layout
      const cluster = yield* Cluster
      const settings = yield* settingsConfig
      const local = cluster.embedded || ["127.0.0.1", "localhost", "::1"].includes(cluster.host) || Option.isNone(settings.adminUrl)
      const now = new Date()
      const results = yield* evaluate({
        items: backlog,
        measure: (metric) => measure(metric, { layout, admin: admin.connect, local, now }),
        writer: yield* HubWriter,
        now
      })
      yield* Console.log(formatTriggers(results))
      const run = yield* Task.TaskRun
      yield* run.addRows(results.length)
      const fired = results.filter((r) => r.newlyFired)
      if (fired.length > 0) {
        yield* run.attention(`newly fired: ${fired.map((r) => `${r.item.id} ${r.item.title}`).join("; ")}`)
      }
    })
)

Task.main(command)
