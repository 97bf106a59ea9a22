import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { apply, describe as describeState, makeDisplay, type ProgressState } from "./Progress.ts"

describe("progress display", () => {
  it("counts slices, pages, rows and quota, and estimates the time left from the pace so far", () => {
    const state: ProgressState = { planned: 0, done: 0, pages: 0, rows: 0, last: "", quota: new Map() }
    apply(state, { _tag: "Planned", stream: "page", scope: "blog", slices: 10 })
    apply(state, { _tag: "Quota", scope: "blog", used: 30, limit: 2000 })
    for (let i = 0; i < 4; i++) apply(state, { _tag: "Slice", stream: "page", scope: "blog", label: `2026-01-0${i + 1}`, rows: 1000, pages: 2 })
    // 4 slices in 60 s: 6 left take 90 s.
    expect(describeState(state, 60_000)).toBe("4/10 slices · 8 pages · 4,000 rows · quota blog 1,970 left · ETA 1m30s · blog page 2026-01-04")
  })

  it.effect("off a terminal it logs a line at most every interval, and always the final one", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))
      const display = makeDisplay({ label: "backfill x", terminal: false, logEveryMs: 60_000 })
      yield* display.onEvent({ _tag: "Planned", stream: "s", scope: "p", slices: 3 }).pipe(Effect.provide(logger))
      for (let i = 0; i < 3; i++) yield* display.onEvent({ _tag: "Slice", stream: "s", scope: "p", label: String(i), rows: 1, pages: 1 }).pipe(Effect.provide(logger))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain("backfill x: 1/3 slices")
      expect(yield* display.finish).toMatch(/^backfill x: 3\/3 slices · 3 pages · 3 rows · p s 2 · done in \d+s$/)
    }))
})
