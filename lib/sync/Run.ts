/**
 * What every connector's sync is asked to do, and the bookkeeping they share:
 * which days a stream loads this run (nightly: from its cursor minus the
 * re-fetch window; backfill: a fixed range, resumed where a previous attempt
 * stopped), moving the cursors inside the slice's transaction, and reporting
 * progress for the backfill display.
 */
import type { SqlClient } from "@effect/sql"
import type { PgClient } from "@effect/sql-pg"
import { Effect } from "effect"
import type { SourceError } from "../http/SourceError.ts"
import { addDays } from "./Days.ts"
import { readCursor } from "./Ledger.ts"

/** What a sync reports as it goes (the backfill display listens). */
export type ProgressEvent =
  | { readonly _tag: "Planned"; readonly stream: string; readonly scope: string; readonly slices: number }
  | { readonly _tag: "Slice"; readonly stream: string; readonly scope: string; readonly label: string; readonly rows: number; readonly pages: number }
  | { readonly _tag: "Quota"; readonly scope: string; readonly used: number; readonly limit: number }

export type Progress = (event: ProgressEvent) => Effect.Effect<void>

export interface SyncOptions {
  readonly ledger: PgClient.PgClient
  readonly since?: string
  readonly until?: string
  /** Only these properties (sites, projects, accounts), by their solohub name. */
  readonly sites?: ReadonlyArray<string>
  /** A backfill: load exactly `since`..`until`, resuming a previous attempt at the same range. */
  readonly backfill?: boolean
  readonly progress?: Progress
  /** "Today" for tests; the real date otherwise. */
  readonly today?: string
}

export interface SyncOutcome {
  readonly rows: number
  readonly days: number
  readonly warnings: ReadonlyArray<string>
  readonly failures: ReadonlyArray<SourceError>
}

const backfillStream = (options: SyncOptions, stream: string) => `backfill ${options.since ?? "?"}..${options.until ?? "?"} ${stream}`

/**
 * The first day a stream loads: a backfill resumes after the last day it
 * finished; a nightly run loads every day after its cursor and re-fetches the
 * last `refetchDays` before `until` (the source still corrects them), or goes
 * `initialDays` back on its first run. The re-fetch window hangs off `until`,
 * not the cursor, so a run that died early never reaches back before what an
 * uninterrupted run would have loaded.
 */
export const firstDay = (
  source: string,
  options: SyncOptions,
  stream: string,
  scope: string,
  window: { readonly until: string; readonly refetchDays: number; readonly initialDays: number }
) =>
  Effect.gen(function*() {
    if (options.backfill === true) {
      const done = yield* readCursor(options.ledger, source, backfillStream(options, stream), scope)
      return done !== undefined ? addDays(done, 1) : options.since ?? window.until
    }
    if (options.since !== undefined) return options.since
    const cursor = yield* readCursor(options.ledger, source, stream, scope)
    if (cursor === undefined) return addDays(window.until, -window.initialDays + 1)
    const next = addDays(cursor, 1)
    const refetch = addDays(window.until, -window.refetchDays + 1)
    return next < refetch ? next : refetch
  })

/**
 * Records that `day` of a stream is loaded; call it in the slice's
 * transaction. The nightly cursor only moves forward (a backfill of last year
 * must not send tonight's run back to last year); a backfill also marks its
 * own progress so a rerun of the same range resumes after it.
 */
export const markLoaded = (sql: SqlClient.SqlClient, source: string, options: SyncOptions, stream: string, scope: string, day: string) =>
  Effect.gen(function*() {
    yield* sql`INSERT INTO ops.sync_cursors (source, stream, scope, position, updated_at) VALUES (${source}, ${stream}, ${scope}, ${day}, now())
      ON CONFLICT (source, stream, scope) DO UPDATE SET position = GREATEST(ops.sync_cursors.position, EXCLUDED.position), updated_at = now()`
    if (options.backfill === true) {
      yield* sql`INSERT INTO ops.sync_cursors (source, stream, scope, position, updated_at) VALUES (${source}, ${backfillStream(options, stream)}, ${scope}, ${day}, now())
        ON CONFLICT (source, stream, scope) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`
    }
  })

export const report = (options: SyncOptions, event: ProgressEvent) => options.progress?.(event) ?? Effect.void

/** Days from `from` to `until` inclusive (0 when empty). */
export const dayCount = (from: string, until: string) =>
  from > until ? 0 : Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
