import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { sync } from "../../lib/connectors/clarity/Clarity.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { behaviourOf, startClarity } from "../support/servers/clarity.ts"
import { blogFacts } from "../support/servers/searchConsole.ts"
import { runTask } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"
import { conformance } from "./conformance.ts"

const today = "2026-11-22"
const facts = blogFacts("2026-11-21", 10)
const server = await startClarity({ tokens: { blog: "clarity-blog-token" }, facts, today })
afterAll(() => server.close())
const settings = { SOLOHUB_CLARITY_PROJECTS: "blog", SOLOHUB_CLARITY_TOKEN_BLOG: "clarity-blog-token", SOLOHUB_CLARITY_BASE_URL: server.url }
const env = makeTestEnv({ ...settings, SOLOHUB_HTTP_RETRY_BASE_MS: "5", SOLOHUB_HTTP_RETRY_CAP_MS: "20" })
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const run = (overrides: Record<string, string> = {}, day = today) =>
  Effect.flatMap(HubWriter, (ledger) =>
    sync({ ledger, today: day }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...env.env, ...overrides }))))))
const forget = Effect.flatMap(HubWriter, (sql) =>
  Effect.all([sql`DELETE FROM behaviour.clarity_page_daily`, sql`DELETE FROM behaviour.clarity_fetch_log`, sql`DELETE FROM ops.sync_cursors WHERE source = 'clarity'`]))
const newDay = Effect.flatMap(HubWriter, (sql) => {
  server.newDay()
  server.faults.length = 0
  return Effect.zipRight(forget, sql`DELETE FROM ops.api_quota_usage WHERE source = 'clarity'`)
})

layer(base, { timeout: 120_000, excludeTestServices: true })("Clarity against the local Data Export API", (it) => {
  it.effect("one call a night loads yesterday per URL, with the numbers Clarity reports; a second run the same day calls nothing", () =>
    Effect.gen(function*() {
      yield* newDay
      const before = server.requests.length
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      expect(server.requests.slice(before)).toEqual([{ project: "blog", numOfDays: "1", dimension1: "URL" }])
      const sql = yield* HubWriter
      const loaded = yield* sql<{ url: string; sessions: string; rage_clicks: string; scroll_depth_avg: string; window_days: number }>`
        SELECT url, sessions::text, rage_clicks::text, scroll_depth_avg::text, window_days FROM behaviour.clarity_page_daily WHERE date = '2026-11-21' ORDER BY url`
      const expected = behaviourOf(facts).filter((r) => r.date === "2026-11-21").sort((a, b) => (a.url < b.url ? -1 : 1))
      expect(loaded.map((r) => [r.url, r.sessions, r.rage_clicks, r.scroll_depth_avg, r.window_days])).toEqual(
        expected.map((r) => [r.url, String(r.sessions), String(r.rage), String(r.scroll), 1])
      )
      yield* run()
      expect(server.requests.length).toBe(before + 1)
    }))

  it.effect("a missed night is caught up in one 48-hour window, labelled and warned; beyond 72 hours the loss is said", () =>
    Effect.gen(function*() {
      yield* newDay
      yield* run({}, "2026-11-20")
      const caughtUp = yield* run({}, "2026-11-22")
      expect(server.requests[server.requests.length - 1]!.numOfDays).toBe("2")
      expect(caughtUp.warnings.join("\n")).toContain("caught up 2 days in one window (2026-11-20..2026-11-21)")
      const sql = yield* HubWriter
      const windows = yield* sql<{ date: string; window_days: number }>`SELECT to_char(date, 'YYYY-MM-DD') AS date, window_days FROM behaviour.clarity_fetch_log ORDER BY date`
      expect(windows).toEqual([{ date: "2026-11-19", window_days: 1 }, { date: "2026-11-21", window_days: 2 }])
      yield* newDay
      yield* run({}, "2026-11-15")
      const late = yield* run({}, "2026-11-22")
      expect(server.requests[server.requests.length - 1]!.numOfDays).toBe("3")
      expect(late.warnings.join("\n")).toContain("Clarity keeps only the last 72 hours; 2026-11-15..2026-11-18 cannot be loaded any more")
    }))

  it.effect("started twenty times in a day, it never spends more than the 10 calls, and never meets Clarity's own 429", () =>
    Effect.gen(function*() {
      yield* newDay
      const before = server.requests.length
      const outcomes = []
      for (let i = 0; i < 20; i++) {
        outcomes.push(yield* run())
        yield* forget
      }
      expect(server.requests.length - before).toBe(10)
      expect(server.callsToday.get("blog")).toBe(10)
      expect(outcomes.slice(10).every((o) => o.failures.some((f) => f.reason === "QuotaExhausted"))).toBe(true)
    }))

  it.effect("Clarity's own 429 (someone else spent the day) stops at once, without retries; a wrong token is Unauthorized after one call", () =>
    Effect.gen(function*() {
      yield* newDay
      server.callsToday.set("blog", 10)
      const before = server.requests.length
      const limited = yield* run()
      expect(limited.failures.map((f) => [f.reason, f.message])).toEqual([["QuotaExhausted", expect.stringContaining("Exceeded daily limit")]])
      expect(server.requests.length).toBe(before + 1)
      yield* newDay
      const wrong = yield* run({ SOLOHUB_CLARITY_TOKEN_BLOG: "not-the-token" })
      expect(wrong.failures.map((f) => f.reason)).toEqual(["Unauthorized"])
      expect(wrong.failures[0]!.message).not.toContain("not-the-token")
    }))

  it.effect("a missing token names its variable before any call", () =>
    Effect.gen(function*() {
      const error = yield* run({ SOLOHUB_CLARITY_PROJECTS: "blog,shop" }).pipe(Effect.flip)
      expect(String(error)).toContain("SOLOHUB_CLARITY_TOKEN_SHOP")
    }))

  it.effect("the budget survives process restarts: three `npm run sync -- clarity` processes with a budget of 2 make 2 calls", () =>
    Effect.gen(function*() {
      yield* newDay
      const before = server.requests.length
      const codes: Array<number> = []
      for (let i = 0; i < 3; i++) {
        const result = yield* Effect.promise(() => runTask("tasks/sync.ts", ["clarity", "--allow-undrilled"], { ...env.env, SOLOHUB_CLARITY_DAILY_BUDGET: "2" }))
        codes.push(result.code)
        if (i === 2) expect(result.stdout).toContain("today's budget of 2 calls for blog is spent")
        yield* forget
      }
      expect(codes).toEqual([0, 0, 1])
      expect(server.requests.length - before).toBe(2)
    }))
})

conformance({
  source: "clarity",
  env: settings,
  server,
  sync,
  today,
  tables: ["behaviour.clarity_page_daily"],
  expectedRows: { "behaviour.clarity_page_daily": new Set(facts.filter((f) => f.date === "2026-11-21").map((f) => f.page)).size },
  budgetVariable: "SOLOHUB_CLARITY_DAILY_BUDGET",
  retries429: false,
  requestsBeforeCrash: 0
})
