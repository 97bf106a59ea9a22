/** `npm run backup`: encrypted pg_dump of every database, with a manifest, stored locally and in S3-compatible storage. */
import { Console, Effect } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { HubWriter } from "../lib/db/Connections.ts"
import { runBackup } from "../lib/ops/Backups.ts"

const command = Task.make("backup", {}, { description: "Back up every database (encrypted with age), upload it, apply retention.", layer: () => HubWriter.layer }, () =>
  Effect.gen(function*() {
    const result = yield* runBackup()
    const run = yield* Task.TaskRun
    const tables = result.manifest.databases.reduce((n, d) => n + Object.keys(d.tables).length, 0)
    yield* run.addRows(result.manifest.databases.reduce((n, d) => n + Object.values(d.tables).reduce((r, t) => r + t.rows, 0), 0))
    yield* Console.log(
      `backup ${result.id}: ${result.manifest.databases.length} databases, ${tables} tables, ${(result.bytes / 1024).toFixed(1)} KiB encrypted → ${result.file}` +
        (result.remoteKey ? `, uploaded as ${result.remoteKey}` : " (no bucket configured: local only)") +
        (result.deleted.length > 0 ? `; retention removed ${result.deleted.length}` : "")
    )
  }))

Task.main(command, { logTo: "stderr" })
