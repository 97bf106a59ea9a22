/** `npm run audit [--json]`: the adversarial security audit; exits non-zero on any failure. */
import { Options } from "@effect/cli"
import { Console, Effect } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { Admin } from "../lib/db/Connections.ts"
import { audit, formatReport } from "../security/Audit.ts"
import { AuditFailedError } from "../security/errors.ts"

const json = Options.boolean("json").pipe(Options.withDescription("Print the report as JSON"))

const command = Task.make(
  "audit",
  { json },
  {
    description: "Attack the PII firewall and check the catalogs: every documented control must be proven by a passing check.",
    layer: () => Admin.layer
  },
  (config) =>
    Effect.gen(function*() {
      const report = yield* audit()
      yield* Console.log(config.json ? JSON.stringify(report, null, 2) : formatReport(report))
      if (!report.passed) {
        const failed = report.checks.filter((c) => c.status !== "pass").map((c) => c.id)
        return yield* new AuditFailedError({
          failedChecks: failed,
          message: `the security audit failed: ${failed.join(", ") || "documentation"}${report.documentation.length > 0 ? `; ${report.documentation.join("; ")}` : ""}`
        })
      }
    })
)

Task.main(command, { logTo: "stderr" })
