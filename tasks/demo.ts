/**
 * `npm run demo`: the whole system on the embedded default. Starts (or reuses)
 * the embedded PostgreSQL, provisions the layout, and shows what is there.
 */
import { Console, Effect, Option } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { Cluster } from "../lib/db/Cluster.ts"
import { Admin, HubWriter } from "../lib/db/Connections.ts"
import { runBackup, runDrill } from "../lib/ops/Backups.ts"
import { describeLayout } from "../lib/db/Describe.ts"
import { provisionAndReport } from "../lib/db/Provision.ts"
import { audit } from "../security/Audit.ts"

const demo = Task.make(
  "demo",
  {},
  {
    description: "Run solohub end to end on the embedded PostgreSQL and show what it did.",
    ledger: "admin",
    // HubWriter connects after provisioning has created its role.
    layer: () => Admin.layer
  },
  () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      yield* Console.log(
        cluster.embedded
          ? `PostgreSQL: embedded, 127.0.0.1:${cluster.port} (data under .solohub/)`
          : `PostgreSQL: ${cluster.host}:${cluster.port} (from SOLOHUB_ADMIN_URL)`
      )
      const report = yield* provisionAndReport()
      yield* Console.log(
        `\nProvisioning: ${report.changes.length === 0 ? "nothing to change" : `${report.changes.length} changes`}, ` +
          `${report.migrationsApplied.length} migrations applied`
      )
      yield* Console.log(yield* describeLayout)
      const audited = yield* audit()
      const failed = audited.checks.filter((c) => c.status !== "pass")
      yield* Console.log(
        `\nSecurity audit: ${audited.checks.length - failed.length}/${audited.checks.length} checks passed, ` +
          `${audited.controls.filter((c) => c.status === "proven").length}/${audited.controls.length} controls proven` +
          (failed.length > 0 ? ` — FAILED: ${failed.map((c) => c.id).join(", ")} (run \`npm run audit\`)` : "")
      )
      const backedUp = yield* Effect.provide(
        Effect.gen(function*() {
          const backup = yield* runBackup()
          const drill = yield* runDrill({ backup: Option.some(backup.id), identityFile: Option.none() })
          return { backup, drill }
        }),
        HubWriter.layer
      )
      yield* Console.log(
        `\nBackup ${backedUp.backup.id}: ${(backedUp.backup.bytes / 1024).toFixed(1)} KiB, age-encrypted → ${backedUp.backup.file}` +
          `\nRestore drill: passed, ${backedUp.drill.tablesChecked} tables match the manifest, RTO ${backedUp.drill.rtoSeconds.toFixed(1)} s`
      )
      yield* Console.log("\nConnect as the assistant:  psql \"$(npm run -s db -- url mcp_ro)\"")
    })
)

Task.main(demo, { logTo: "stderr" })
