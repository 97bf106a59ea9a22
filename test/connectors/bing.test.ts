import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { scrubText } from "../../lib/config/Redact.ts"
import { dayOfMsDate } from "../../lib/connectors/bing/Api.ts"
import { sync } from "../../lib/connectors/bing/Bing.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { startBing, weeklyStats } from "../support/servers/bing.ts"
import { blogFacts } from "../support/servers/searchConsole.ts"
import { makeTestEnv } from "../support/TestEnv.ts"
import { conformance } from "./conformance.ts"

const today = "2026-11-22"
const facts = blogFacts("2026-11-21", 21)
const siteUrl = "https://blog.example.com/"
const server = await startBing({ apiKey: "bing-test-key", sites: [siteUrl], facts })
afterAll(() => server.close())
const settings = { SOLOHUB_BING_SITES: `blog=${siteUrl}`, SOLOHUB_BING_API_KEY: "bing-test-key", SOLOHUB_BING_BASE_URL: server.url }
const env = makeTestEnv({ ...settings, SOLOHUB_HTTP_RETRY_BASE_MS: "5", SOLOHUB_HTTP_RETRY_CAP_MS: "20" })
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const run = (overrides: Record<string, string> = {}) =>
  Effect.flatMap(HubWriter, (ledger) =>
    sync({ ledger, today }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...env.env, ...overrides }))))))

describe("Microsoft JSON dates", () => {
  it("stand for the local day of their offset, not the UTC day of their instant", () => {
    expect(dayOfMsDate("/Date(1316156400000-0700)/")).toBe("2011-09-16")
    // Midnight in Berlin is 23:00 UTC the day before: a naive UTC reading would say 2026-03-31.
    expect(dayOfMsDate(`/Date(${Date.parse("2026-03-31T23:00:00Z")}+0100)/`)).toBe("2026-04-01")
    expect(dayOfMsDate(`/Date(${Date.parse("2026-04-01T00:00:00Z")})/`)).toBe("2026-04-01")
    expect(dayOfMsDate("2026-04-01")).toBeUndefined()
  })
  it("the API key in a URL is masked in any logged text", () => {
    expect(scrubText("GET https://ssl.bing.com/webmaster/api.svc/json/GetQueryStats?siteUrl=x&apikey=abc123 failed")).toBe(
      "GET https://ssl.bing.com/webmaster/api.svc/json/GetQueryStats?siteUrl=x&apikey=<redacted> failed"
    )
  })
})

layer(base, { timeout: 120_000, excludeTestServices: true })("Bing Webmaster Tools against the local API", (it) => {
  it.effect("unwraps the d envelope, reads the weekly buckets by their local day, and the sums equal the API's", () =>
    Effect.gen(function*() {
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      const sql = yield* HubWriter
      const weeks = yield* sql<{ week: string; impressions: string }>`
        SELECT to_char(week, 'YYYY-MM-DD') AS week, sum(impressions)::text AS impressions FROM search.bing_page_weekly GROUP BY week ORDER BY week`
      const expected = new Map<string, number>()
      for (const g of weeklyStats(facts, "page")) expected.set(g.week, (expected.get(g.week) ?? 0) + g.impressions)
      expect(weeks).toEqual([...expected.entries()].sort().map(([week, n]) => ({ week, impressions: String(n) })))
      // Every bucket is a Monday: the offset was honoured.
      expect(weeks.every((w) => new Date(`${w.week}T00:00:00Z`).getUTCDay() === 1)).toBe(true)
      const raw = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM ops.raw_payloads WHERE source = 'bing' AND request::text LIKE '%bing-test-key%'`
      expect(raw[0]!.n).toBe("0")
    }))

  it.effect("a wrong key is Unauthorized at once (Bing's fault code 3 in a 400), and the key is not in the message", () =>
    Effect.gen(function*() {
      const before = server.requests.length
      const outcome = yield* run({ SOLOHUB_BING_API_KEY: "wrong-key" })
      expect(outcome.failures.map((f) => f.reason)).toEqual(["Unauthorized", "Unauthorized"])
      expect(outcome.failures[0]!.message).toContain("InvalidApiKey")
      expect(outcome.failures.map((f) => f.message).join()).not.toContain("wrong-key")
      expect(server.requests.length).toBe(before)
      const other = yield* run({ SOLOHUB_BING_SITES: "other=https://other.example.com/" })
      expect(other.failures.map((f) => f.reason)).toEqual(["Forbidden", "Forbidden"])
    }))

  it.effect("a ThrottleUser fault is retried like a 429", () =>
    Effect.gen(function*() {
      server.faults.push({ kind: "status", status: 400, body: '{"ErrorCode":4,"Message":"ERROR!!! ThrottleUser"}' })
      expect((yield* run()).failures).toEqual([])
    }))
})

conformance({
  source: "bing",
  env: settings,
  server,
  sync,
  today,
  tables: ["search.bing_query_weekly", "search.bing_page_weekly"],
  expectedRows: { "search.bing_query_weekly": weeklyStats(facts, "query").length, "search.bing_page_weekly": weeklyStats(facts, "page").length },
  budgetVariable: "SOLOHUB_BING_DAILY_BUDGET",
  requestsBeforeCrash: 1
})
