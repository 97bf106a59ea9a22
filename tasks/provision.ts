/** `npm run provision`: databases, roles, schemas, migrations and grants, idempotently. */
import { Effect } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { Admin } from "../lib/db/Connections.ts"
import { provisionAndReport } from "../lib/db/Provision.ts"

const provision = Task.make(
  "provision",
  {},
  {
    description: "Create or update the databases, roles, schemas, migrations and privileges. Safe to re-run.",
    ledger: "admin",
    layer: () => Admin.layer
  },
  () =>
    Effect.gen(function*() {
      const report = yield* provisionAndReport()
      const run = yield* Task.TaskRun
      yield* run.addRows(report.changes.length)
    })
)

Task.main(provision)
