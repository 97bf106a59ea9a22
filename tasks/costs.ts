/** `npm run costs`: the configured line items against the ceiling of the current tier; fails when a category is over. */
import { Console, Effect } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { compare, costsFile, CostsError, formatComparison, readCosts } from "../lib/backlog/Costs.ts"

const command = Task.make("costs", {}, { description: "Compare current monthly costs (SOLOHUB_COSTS_FILE) with the published ceiling.", ledger: "none" }, () =>
  Effect.gen(function*() {
    const file = yield* costsFile
    const current = yield* readCosts(file)
    const rows = compare(current)
    yield* Console.log(formatComparison(current, rows))
    const over = rows.filter((r) => r.over)
    if (over.length > 0) {
      return yield* new CostsError({
        reason: "OverCeiling",
        message: `over the ${current.tier} ceiling: ${over.map((r) => `${r.category} $${r.current} > $${r.ceiling}`).join(", ")} — stop, reroute, escalate`
      })
    }
  }))

Task.main(command, { logTo: "stderr" })
