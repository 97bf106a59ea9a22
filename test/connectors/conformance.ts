/**
 * The conformance suite every connector passes: paging to the end, a rerun
 * that changes nothing, retries (429 with each form of Retry-After, a burst of
 * 5xx, a reset, a timeout) that end in the same data, drift that fails the
 * stream and keeps the raw payload, a crash between two pages whose rerun
 * converges to a clean run, and a daily budget that holds across runs. A new
 * source gets these guarantees by calling `conformance(...)` from its test.
 */
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer } from "effect"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import type { SyncOptions, SyncOutcome } from "../../lib/sync/Run.ts"
import type { Fault } from "../support/servers/faults.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

export interface Harness {
  readonly source: string
  /** Settings pointing at the local API (small pages, so paging happens). */
  readonly env: Record<string, string>
  /** The local API's fault queue (a source may queue kinds of its own too) and its request log. */
  readonly server: {
    readonly faults: { push(...faults: Array<Fault>): number; length: number }
    readonly requests: { readonly length: number }
    /** Starts a new day on the API's own quota counter, where it keeps one (Clarity). */
    readonly newDay?: () => void
  }
  readonly sync: (options: SyncOptions) => Effect.Effect<SyncOutcome, unknown, HttpClient.HttpClient>
  readonly today: string
  /** The typed tables the source writes. */
  readonly tables: ReadonlyArray<string>
  /** Row counts after a clean run, derived from the local API's data (proves paging reached the end). */
  readonly expectedRows: Record<string, number>
  /** The variable holding the persisted daily call budget. */
  readonly budgetVariable: string
  /** Whether a 429 is a rate limit to retry (false where it means "the day's quota is gone", as at Clarity). */
  readonly retries429?: boolean
  /** Requests a run makes before the one that hangs in the crash test (default 2: a crash between two pages). */
  readonly requestsBeforeCrash?: number
  /** Columns that legitimately differ between two runs (when it ran), left out of the comparison. */
  readonly volatileColumns?: ReadonlyArray<string>
}

const fast = { SOLOHUB_HTTP_RETRY_BASE_MS: "5", SOLOHUB_HTTP_RETRY_CAP_MS: "20", SOLOHUB_HTTP_TIMEOUT_MS: "800" }

export const conformance = (harness: Harness) => {
  const env = makeTestEnv({ ...fast, ...harness.env })
  const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
    Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
  )
  const run = (overrides: Record<string, string> = {}) =>
    Effect.flatMap(HubWriter, (ledger) =>
      harness.sync({ ledger, today: harness.today }).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...env.env, ...overrides }))))
      ))
  const snapshot = Effect.flatMap(HubWriter, (sql) =>
    Effect.forEach(harness.tables, (table) =>
      Effect.map(
        sql.unsafe<{ j: string }>(`SELECT (to_jsonb(x) - $1::text[])::text AS j FROM ${table} x ORDER BY 1`, [harness.volatileColumns ?? ["fetched_at"]]),
        (rows) => [table, rows.map((r) => r.j)] as const
      )).pipe(Effect.map((entries) => Object.fromEntries(entries))))
  const forget = Effect.gen(function*() {
    const sql = yield* HubWriter
    for (const table of harness.tables) yield* sql.unsafe(`DELETE FROM ${table}`)
    yield* sql`DELETE FROM ops.sync_cursors WHERE source = ${harness.source}`
    harness.server.faults.length = 0
  })
  const reset = Effect.zipRight(forget, Effect.flatMap(HubWriter, (sql) => {
    harness.server.newDay?.()
    return sql`DELETE FROM ops.api_quota_usage WHERE source = ${harness.source}`
  }))
  let clean: Record<string, ReadonlyArray<string>> = {}

  /** Reset, run with `faults` queued, then (if asked) a clean rerun: the data must equal a clean run's. */
  const converges = (faults: ReadonlyArray<Fault>, expectFailure: boolean) =>
    Effect.gen(function*() {
      yield* reset
      harness.server.faults.push(...faults)
      const outcome = yield* run()
      if (expectFailure) {
        expect(outcome.failures.length, "the fault should fail a stream").toBeGreaterThan(0)
        yield* run()
      } else {
        expect(outcome.failures).toEqual([])
      }
      expect(harness.server.faults).toEqual([])
      expect(yield* snapshot).toEqual(clean)
      return outcome
    })

  layer(base, { timeout: 120_000, excludeTestServices: true })(`${harness.source} conformance`, (it) => {
    it.effect("pages to the end: every row of the local API lands; a rerun changes nothing", () =>
      Effect.gen(function*() {
        yield* reset
        const outcome = yield* run()
        expect(outcome.failures).toEqual([])
        const data = yield* snapshot
        expect(Object.fromEntries(Object.entries(data).map(([t, rows]) => [t, rows.length]))).toEqual(harness.expectedRows)
        clean = data
        yield* run()
        expect(yield* snapshot).toEqual(clean)
      }))

    it.effect("429 with Retry-After in seconds, 0 and an HTTP-date, a burst of 5xx, a reset and a timeout are retried to the same data", () =>
      Effect.gen(function*() {
        const started = Date.now()
        const limited = (headers: Record<string, string>): Fault =>
          harness.retries429 === false ? { kind: "status", status: 503, headers } : { kind: "status", status: 429, headers }
        // Four failures at most on one request: the fifth attempt gets through.
        yield* converges([limited({ "retry-after": "1" }), limited({ "retry-after": "0" }), { kind: "status", status: 503 }, { kind: "reset" }], false)
        expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
        yield* converges([limited({ "retry-after": new Date(Date.now() + 1500).toUTCString() }), { kind: "status", status: 500 }, { kind: "status", status: 502 }, { kind: "hang" }], false)
      }))

    it.effect("truncated JSON is drift: the stream fails naming the source, the raw body is kept for replay; the rerun converges", () =>
      Effect.gen(function*() {
        const outcome = yield* converges([{ kind: "truncate" }], true)
        expect(outcome.failures[0]!.reason).toBe("Drift")
        expect(outcome.failures[0]!.message).toContain(`${harness.source}/`)
        expect(outcome.failures[0]!.message).toContain("not valid JSON")
        const sql = yield* HubWriter
        const kept = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM ops.raw_payloads WHERE source = ${harness.source} AND status = 'drift'`
        expect(Number(kept[0]!.n)).toBeGreaterThan(0)
      }))

    it.effect("an unexpected field type is drift naming the field and what came; the other streams still load; the rerun converges", () =>
      Effect.gen(function*() {
        const outcome = yield* converges([{ kind: "wrong-type" }], true)
        expect(outcome.failures.map((f) => f.reason)).toEqual(["Drift"])
        expect(outcome.failures[0]!.message).toMatch(/Expected [\s\S]*actual/)
      }))

    it.effect("exhausted retries fail the stream with what was tried; the rerun converges", () =>
      Effect.gen(function*() {
        const outcome = yield* converges(Array.from({ length: 5 }, () => ({ kind: "status" as const, status: 500 })), true)
        expect(outcome.failures[0]!.message).toContain("gave up after 5 attempts (HTTP 500, HTTP 500, HTTP 500, HTTP 500, HTTP 500)")
      }))

    it.effect("a crash between two pages leaves nothing half-loaded; the rerun converges to a clean run", () =>
      Effect.gen(function*() {
        yield* reset
        const before = harness.server.requests.length
        const passes = harness.requestsBeforeCrash ?? 2
        harness.server.faults.push(...Array.from({ length: passes }, (): Fault => ({ kind: "pass" })), { kind: "hang" })
        // The process "dies" while a request hangs: the fiber is interrupted mid-slice.
        const fiber = yield* Effect.fork(run({ SOLOHUB_HTTP_TIMEOUT_MS: "60000" }))
        while (harness.server.requests.length < before + passes + 1) yield* Effect.sleep("10 millis")
        yield* Fiber.interrupt(fiber)
        harness.server.faults.length = 0
        const afterCrash = yield* snapshot
        for (const [table, rows] of Object.entries(afterCrash)) expect(rows.every((row) => clean[table]!.includes(row)), `${table} holds only clean rows`).toBe(true)
        yield* run()
        expect(yield* snapshot).toEqual(clean)
      }))

    it.effect("the daily budget is persisted: however often the task starts in a day, no more than the budget is spent", () =>
      Effect.gen(function*() {
        yield* reset
        const before = harness.server.requests.length
        const outcomes: Array<SyncOutcome> = []
        // The data is forgotten between runs (so each run wants to call again); the quota ledger is not.
        for (let i = 0; i < 6; i++) {
          outcomes.push(yield* run({ [harness.budgetVariable]: "2" }))
          yield* forget
        }
        expect(harness.server.requests.length - before).toBeLessThanOrEqual(2)
        expect(outcomes[outcomes.length - 1]!.failures.map((f) => f.reason)).toContain("QuotaExhausted")
        const sql = yield* HubWriter
        const used = yield* sql<{ used: number }>`SELECT sum(used)::int AS used FROM ops.api_quota_usage WHERE source = ${harness.source}`
        expect(used[0]!.used).toBeLessThanOrEqual(2)
      }))
  })
}
