import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { afterAll } from "vitest"
import { sync } from "../../lib/connectors/ga4/Ga4.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { startGa4 } from "../support/servers/ga4.ts"
import { blogFacts } from "../support/servers/searchConsole.ts"
import { makeTestEnv } from "../support/TestEnv.ts"
import { conformance } from "./conformance.ts"

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 })
const facts = blogFacts("2026-11-21", 10)
const server = await startGa4({ propertyId: "123456789", publicKey: keys.publicKey, facts, tokensPerDay: 900 })
afterAll(() => server.close())
const env = makeTestEnv({
  SOLOHUB_GA4_PROPERTIES: "blog=123456789",
  SOLOHUB_GA4_SERVICE_ACCOUNT_JSON: JSON.stringify({ client_email: "ga4@test.iam.gserviceaccount.com", private_key: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString() }),
  SOLOHUB_GA4_BASE_URL: server.url,
  SOLOHUB_GA4_TOKEN_URL: server.tokenUrl,
  SOLOHUB_GA4_PAGE_SIZE: "5",
  SOLOHUB_GA4_INITIAL_DAYS: "3",
  SOLOHUB_HTTP_RETRY_BASE_MS: "5",
  SOLOHUB_HTTP_RETRY_CAP_MS: "20"
})
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const today = "2026-11-22"
const run = (options: { since?: string } = {}) => Effect.flatMap(HubWriter, (ledger) => sync({ ledger, today, ...options }))
const totals = Effect.flatMap(HubWriter, (sql) =>
  sql<{ views: string; sessions: string; pages: string; sources: string }>`
    SELECT (SELECT coalesce(sum(screen_page_views), 0)::text FROM analytics.ga4_page_daily) AS views,
           (SELECT coalesce(sum(sessions), 0)::text FROM analytics.ga4_traffic_daily) AS sessions,
           (SELECT count(*)::text FROM analytics.ga4_page_daily) AS pages,
           (SELECT count(*)::text FROM analytics.ga4_traffic_daily) AS sources`.pipe(Effect.map((r) => r[0]!)))

layer(base, { timeout: 120_000, excludeTestServices: true })("GA4 end to end against the local API", (it) => {
  it.effect("loads pages and traffic sources through offset paging up to yesterday; the numbers equal the source's; a rerun changes nothing", () =>
    Effect.gen(function*() {
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      expect(outcome.days).toBe(3)
      const inRange = facts.filter((f) => f.date >= "2026-11-19" && f.date <= "2026-11-21")
      const first = yield* totals
      expect(first.views).toBe(String(inRange.reduce((s, f) => s + Math.ceil(f.impressions / 10), 0)))
      expect(first.sessions).toBe(String(inRange.reduce((s, f) => s + Math.ceil(f.impressions / 12), 0)))
      expect(first).toMatchObject({ pages: "36", sources: "12" })
      const sql = yield* HubWriter
      const log = yield* sql<{ pages: number; time_zone: string; tokens_remaining_today: number }>`
        SELECT pages, time_zone, tokens_remaining_today FROM analytics.ga4_fetch_log WHERE report = 'page' ORDER BY date LIMIT 1`
      expect(log[0]).toMatchObject({ pages: 3, time_zone: "Europe/Berlin" })
      expect(log[0]!.tokens_remaining_today).toBeLessThan(900)
      expect(outcome.warnings.some((w) => w.includes("GA4 tokens left today"))).toBe(true)
      yield* run()
      expect(yield* totals).toEqual(first)
    }))

  it.effect("sampling and thresholding are recorded and warned about, never silently loaded as exact", () =>
    Effect.gen(function*() {
      server.faults.push({ kind: "sampled" }, { kind: "pass" }, { kind: "pass" }, { kind: "thresholded" })
      const outcome = yield* run({ since: "2026-11-21" })
      expect(outcome.warnings.some((w) => w.includes("GA4 sampled this report"))).toBe(true)
      expect(outcome.warnings.some((w) => w.includes("thresholding"))).toBe(true)
      const sql = yield* HubWriter
      const flags = yield* sql<{ report: string; sampled: boolean; subject_to_thresholding: boolean }>`
        SELECT report, sampled, subject_to_thresholding FROM analytics.ga4_fetch_log WHERE date = '2026-11-21' ORDER BY report`
      expect(flags).toEqual([{ report: "page", sampled: true, subject_to_thresholding: false }, { report: "traffic", sampled: false, subject_to_thresholding: true }])
    }))

  it.effect("a metric that is not a number is drift: the stream fails naming it, the raw payload is kept, the other report loads", () =>
    Effect.gen(function*() {
      server.faults.push({ kind: "wrong-type" })
      const outcome = yield* run({ since: "2026-11-21" })
      expect(outcome.failures).toHaveLength(1)
      expect(outcome.failures[0]!.message).toMatch(/ga4\/page[\s\S]*metricValues[\s\S]*"lots"/)
      const sql = yield* HubWriter
      const drift = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM ops.raw_payloads WHERE source = 'ga4' AND status = 'drift'`
      expect(drift[0]!.n).toBe("1")
      const traffic = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM analytics.ga4_fetch_log WHERE report = 'traffic' AND date = '2026-11-21'`
      expect(traffic[0]!.n).toBe("1")
    }))

  it.effect("429 RESOURCE_EXHAUSTED and 503 are retried; 403 PERMISSION_DENIED fails with a clear message", () =>
    Effect.gen(function*() {
      const before = yield* totals
      server.faults.push(
        { kind: "status", status: 429, body: '{"error":{"code":429,"message":"Exhausted property tokens per hour.","status":"RESOURCE_EXHAUSTED"}}' },
        { kind: "status", status: 503 }
      )
      expect((yield* run({ since: "2026-11-21" })).failures).toEqual([])
      expect(yield* totals).toEqual(before)
      server.faults.push({ kind: "status", status: 403, body: '{"error":{"code":403,"message":"User does not have sufficient permissions for this property.","status":"PERMISSION_DENIED"}}' })
      const denied = yield* run({ since: "2026-11-21" })
      expect(denied.failures[0]!.reason).toBe("Forbidden")
      expect(denied.failures[0]!.message).toContain("sufficient permissions")
    }))
})

const window = facts.filter((f) => f.date >= "2026-11-19" && f.date <= "2026-11-21")
conformance({
  source: "ga4",
  env: {
    SOLOHUB_GA4_PROPERTIES: "blog=123456789",
    SOLOHUB_GA4_SERVICE_ACCOUNT_JSON: env.env.SOLOHUB_GA4_SERVICE_ACCOUNT_JSON!,
    SOLOHUB_GA4_BASE_URL: server.url,
    SOLOHUB_GA4_TOKEN_URL: server.tokenUrl,
    SOLOHUB_GA4_PAGE_SIZE: "5",
    SOLOHUB_GA4_INITIAL_DAYS: "3"
  },
  server,
  sync,
  today,
  tables: ["analytics.ga4_page_daily", "analytics.ga4_traffic_daily"],
  expectedRows: {
    "analytics.ga4_page_daily": new Set(window.map((f) => f.date + f.page)).size,
    "analytics.ga4_traffic_daily": 12
  },
  budgetVariable: "SOLOHUB_GA4_DAILY_BUDGET"
})
