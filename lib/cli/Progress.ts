/**
 * The progress display of long runs (backfills): slices done of planned,
 * pages, rows, quota left and an ETA. On a terminal one line on stderr is
 * redrawn in place; otherwise (cron, CI, a pipe) it degrades to a log line at
 * most every few seconds, so logs stay readable.
 */
import { Effect } from "effect"
import type { ProgressEvent } from "../sync/Run.ts"

export interface ProgressState {
  planned: number
  done: number
  pages: number
  rows: number
  last: string
  quota: Map<string, { used: number; limit: number }>
}

const formatDuration = (ms: number) => {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
}

/** One line describing the state; `elapsedMs` since the start. */
export const describe = (state: ProgressState, elapsedMs: number) => {
  const quota = [...state.quota.entries()].map(([scope, q]) => `${scope} ${(q.limit - q.used).toLocaleString("en")} left`).join(", ")
  const eta = state.done === 0 || state.planned <= state.done ? "" : ` · ETA ${formatDuration((elapsedMs / state.done) * (state.planned - state.done))}`
  return `${state.done}/${state.planned} slices · ${state.pages.toLocaleString("en")} pages · ${state.rows.toLocaleString("en")} rows` +
    `${quota === "" ? "" : ` · quota ${quota}`}${eta}${state.last === "" ? "" : ` · ${state.last}`}`
}

export const apply = (state: ProgressState, event: ProgressEvent) => {
  switch (event._tag) {
    case "Planned":
      state.planned += event.slices
      break
    case "Slice":
      state.done++
      state.pages += event.pages
      state.rows += event.rows
      state.last = `${event.scope} ${event.stream} ${event.label}`
      break
    case "Quota":
      state.quota.set(event.scope, { used: event.used, limit: event.limit })
  }
}

export interface Display {
  readonly onEvent: (event: ProgressEvent) => Effect.Effect<void>
  /** The final line (also clears the redrawn one on a terminal). */
  readonly finish: Effect.Effect<string>
}

export const makeDisplay = (options: { readonly label: string; readonly terminal?: boolean; readonly logEveryMs?: number }): Display => {
  const terminal = options.terminal ?? process.stderr.isTTY === true
  const logEvery = options.logEveryMs ?? 5000
  const started = Date.now()
  const state: ProgressState = { planned: 0, done: 0, pages: 0, rows: 0, last: "", quota: new Map() }
  let lastShown = 0
  const line = () => `${options.label}: ${describe(state, Date.now() - started)}`
  return {
    onEvent: (event) =>
      Effect.suspend(() => {
        apply(state, event)
        const now = Date.now()
        if (terminal) {
          if (now - lastShown < 100) return Effect.void
          lastShown = now
          return Effect.sync(() => process.stderr.write(`\r\x1b[K${line()}`))
        }
        if (event._tag !== "Slice" || now - lastShown < logEvery) return Effect.void
        lastShown = now
        return Effect.logInfo(line())
      }),
    finish: Effect.suspend(() => {
      const final = `${line()} · done in ${formatDuration(Date.now() - started)}`
      return Effect.as(terminal ? Effect.sync(() => process.stderr.write("\r\x1b[K")) : Effect.void, final)
    })
  }
}
