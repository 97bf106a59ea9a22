/**
 * `npm run import -- crm|finance <file>`: the founder's CRM (clients, deals or invoices — told apart by the header)
 * and finances, from CSV. Every row is validated first; a bad row is reported with its line number and nothing of
 * the file is loaded; re-importing the same file is a no-op. Formats: docs/imports.md.
 */
import { Args } from "@effect/cli"
import { Console, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Task from "../lib/cli/Task.ts"
import { HubWriter } from "../lib/db/Connections.ts"
import { importFile, ImportError } from "../lib/imports/Import.ts"

const kind = Args.choice([["crm", "crm"], ["finance", "finance"]] as const, { name: "kind" })
const file = Args.file({ name: "file", exists: "yes" })

const command = Task.make(
  "import",
  { kind, file },
  { description: "Import the CRM (clients, deals, invoices) or finances from a CSV file: all rows valid, or nothing.", lockKey: (c) => `import:${c.kind}`, layer: () => HubWriter.layer },
  (config) =>
    Effect.gen(function*() {
      const run = yield* Task.TaskRun
      const content = yield* Effect.try({
        try: () => fs.readFileSync(config.file, "utf8"),
        catch: (e) => new ImportError({ file: config.file, problems: [String(e)], message: `${config.file}: cannot be read (${String(e)})` })
      })
      const outcome = yield* importFile(yield* HubWriter, config.kind, path.basename(config.file), content)
      yield* run.addRows(outcome.rows)
      yield* Console.log(outcome.alreadyImported
        ? `${outcome.file}: already imported (${outcome.kind}, same content): nothing to do`
        : `${outcome.file}: ${outcome.rows} ${outcome.kind} rows imported`)
    })
)

Task.main(command)
