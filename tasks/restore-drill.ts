/** `npm run restore-drill [--backup <id>] [--identity-file <file>]`: restore into scratch databases and prove it. */
import { Options } from "@effect/cli"
import { Console, Effect, Layer } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { Admin, HubWriter } from "../lib/db/Connections.ts"
import { recordFailedDrill, runDrill } from "../lib/ops/Backups.ts"

const backup = Options.text("backup").pipe(Options.optional, Options.withDescription("The backup id to restore (default: the newest)"))
const identityFile = Options.file("identity-file").pipe(Options.optional, Options.withDescription("A file holding the age identity (AGE-SECRET-KEY-…); default SOLOHUB_BACKUP_AGE_IDENTITY"))

const command = Task.make(
  "restore-drill",
  { backup, identityFile },
  { description: "Restore a backup into scratch databases, compare it with its manifest, record the RTO.", layer: () => Layer.merge(Admin.layer, HubWriter.layer) },
  (config) =>
    Effect.gen(function*() {
      const started = new Date()
      const result = yield* runDrill({ backup: config.backup, identityFile: config.identityFile }).pipe(
        Effect.tapError((e) =>
          e._tag === "BackupError" && e.reason !== "Mismatch"
            ? recordFailedDrill(config.backup._tag === "Some" ? config.backup.value : "newest", started, e.message).pipe(Effect.ignore)
            : Effect.void)
      )
      yield* Console.log(`restore drill of ${result.backupId} passed: ${result.tablesChecked} tables match the manifest; RTO ${result.rtoSeconds.toFixed(1)} s`)
    })
)

Task.main(command, { logTo: "stderr" })
