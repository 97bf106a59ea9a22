/**
 * What `npm run sync` and `npm run backfill` share: their options, and running
 * a set of sources under the task runner — each source behind its own lock
 * (so `sync all` never overlaps `sync <source>` or a backfill of it), its rows,
 * warnings and failures reported to the run.
 */
import { Args, HelpDoc, Options, ValidationError } from "@effect/cli"
import type { HttpClient } from "@effect/platform"
import { Console, Effect, Schema } from "effect"
import * as Task from "../cli/Task.ts"
import { HubWriter } from "../db/Connections.ts"
import { TaskLockedError } from "../ops/errors.ts"
import { TaskLedger } from "../ops/TaskLedger.ts"
import type { Progress } from "./Run.ts"
import { type SourceSync, sources } from "./Sources.ts"

export class SyncFailed extends Schema.TaggedError<SyncFailed>("solohub/SyncFailed")("SyncFailed", { message: Schema.String }) {}

const isoDay = /^\d{4}-\d{2}-\d{2}$/
const validDay = (text: string) => isoDay.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)

/** A YYYY-MM-DD option, checked before any work. */
export const dayOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(`${description} (YYYY-MM-DD)`),
    Options.mapEffect((text) =>
      validDay(text) ? Effect.succeed(text) : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${name} ${text}: expected a date as YYYY-MM-DD`)))
    )
  )

export const sourceArg = (withAll: boolean) =>
  Args.choice([...(withAll ? [["all", "all"] as [string, string]] : []), ...sources.map((s): [string, string] => [s.name, s.name])], { name: "source" })

export const propertyOption = Options.text("property").pipe(Options.repeated, Options.withDescription("Only these properties (sites, projects), by their solohub name"))

export const allowUndrilledOption = Options.boolean("allow-undrilled").pipe(
  Options.withDescription("Load even though no restore drill has passed (demo and tests only)")
)

export interface RunSourcesOptions {
  readonly which: string
  readonly since?: string
  readonly until?: string
  readonly properties: ReadonlyArray<string>
  readonly backfill?: boolean
  readonly progress?: (source: SourceSync) => Progress
  /** After each source, e.g. to print the progress display's last line. */
  readonly after?: (source: SourceSync) => Effect.Effect<void>
}

/** Syncs the chosen sources in turn; fails at the end with every stream that failed. */
export const runSources = (options: RunSourcesOptions): Effect.Effect<void, unknown, Task.TaskRun | HubWriter | TaskLedger | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const run = yield* Task.TaskRun
    const ledger = yield* HubWriter
    const locks = yield* TaskLedger
    const chosen = options.which === "all" ? sources : sources.filter((s) => s.name === options.which)
    const failed: Array<string> = []
    const syncOne = (source: SourceSync) =>
      Effect.gen(function*() {
        const progress = options.progress?.(source)
        const outcome = yield* source.sync({
          ledger,
          ...(options.since !== undefined ? { since: options.since } : {}),
          ...(options.until !== undefined ? { until: options.until } : {}),
          ...(options.properties.length > 0 ? { sites: options.properties } : {}),
          ...(options.backfill === true ? { backfill: true } : {}),
          ...(progress !== undefined ? { progress } : {})
        })
        yield* run.addRows(outcome.rows)
        for (const warning of outcome.warnings) yield* run.warn(warning, { source: source.name })
        for (const failure of outcome.failures) failed.push(failure.message)
        if (options.after !== undefined) yield* options.after(source)
        yield* Console.log(`${source.name}: ${outcome.rows} rows over ${outcome.days} days${outcome.failures.length > 0 ? `, ${outcome.failures.length} streams failed` : ""}`)
      })
    for (const source of chosen) {
      if (!(yield* source.configured)) {
        if (options.which === "all") {
          yield* Effect.logInfo(`${source.name} is not configured: skipped`)
          continue
        }
      }
      // Every run of a source holds its lock (the task's own lock is per command line).
      const locked = yield* Effect.scoped(Effect.gen(function*() {
        if (!(yield* locks.lock(`source:${source.name}`, 0))) return false
        yield* syncOne(source)
        return true
      }))
      if (!locked) {
        const message = `${source.name} is being synced by another run: skipped`
        // One source asked for by name: the same "already running" as the task lock gives (exit 75).
        if (options.which !== "all") return yield* new TaskLockedError({ task: run.task, lockKey: `source:${source.name}`, message })
        yield* run.warn(message)
      }
    }
    if (failed.length > 0) return yield* new SyncFailed({ message: failed.join("; ") })
  })
