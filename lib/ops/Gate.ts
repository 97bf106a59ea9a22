/**
 * The gate: "no real data touches the system until the backup and restore
 * drill works". A task that loads real data from an external source calls
 * `requireRestoreDrill` before any work; it refuses until a drill has passed on
 * this server, unless explicitly allowed (--allow-undrilled or
 * SOLOHUB_ALLOW_UNDRILLED=true, for the demo and tests), and then says so.
 */
import { Config, Effect } from "effect"
import { HubWriter } from "../db/Connections.ts"
import { GateClosedError } from "./errors.ts"

export const allowUndrilledConfig = Config.boolean("SOLOHUB_ALLOW_UNDRILLED").pipe(Config.withDefault(false))

export const requireRestoreDrill = (options: { readonly allowUndrilled: boolean }) =>
  Effect.gen(function*() {
    const sql = yield* HubWriter
    const rows = yield* sql<{ last: Date | null }>`SELECT max(finished_at) AS last FROM ops.restore_drills WHERE status = 'passed'`
    const last = rows[0]?.last ?? null
    if (last !== null) return last
    const allowed = options.allowUndrilled || (yield* allowUndrilledConfig)
    if (!allowed) {
      return yield* new GateClosedError({
        message: "no restore drill has passed on this server, so no real data may be loaded yet: run `npm run backup` and " +
          "`npm run restore-drill` first (--allow-undrilled or SOLOHUB_ALLOW_UNDRILLED=true overrides this for the demo and tests)"
      })
    }
    yield* Effect.logWarning("running WITHOUT a passed restore drill: allowed by --allow-undrilled / SOLOHUB_ALLOW_UNDRILLED")
    return null
  })
