import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { sync } from "../../lib/connectors/mailerlite/MailerLite.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { campaignFacts, newsletterFacts, startMailerLite } from "../support/servers/mailerlite.ts"
import { makeTestEnv } from "../support/TestEnv.ts"
import { conformance } from "./conformance.ts"

const facts = newsletterFacts(60)
// The API's own 120/minute is tested by injecting its 429; here it would only make the suite wait.
const server = await startMailerLite({ token: "ml-test-token", subscribers: facts, perMinute: 100_000 })
afterAll(() => server.close())
const settings = { SOLOHUB_MAILERLITE_TOKEN: "ml-test-token", SOLOHUB_MAILERLITE_BASE_URL: server.url, SOLOHUB_MAILERLITE_PAGE_SIZE: "10" }
const env = makeTestEnv({ ...settings, SOLOHUB_HTTP_RETRY_BASE_MS: "5", SOLOHUB_HTTP_RETRY_CAP_MS: "20" })
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const run = (overrides: Record<string, string> = {}) =>
  Effect.flatMap(HubWriter, (ledger) =>
    sync({ ledger }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...env.env, ...overrides }))))))

layer(base, { timeout: 120_000, excludeTestServices: true })("MailerLite against the local API", (it) => {
  it.effect("loads every subscriber of every status through cursor paging, with groups and sent campaigns; counts a human can check", () =>
    Effect.gen(function*() {
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      const sql = yield* HubWriter
      const byStatus = yield* sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM newsletter.ml_subscribers GROUP BY status ORDER BY status`
      const expected = [...new Set(facts.map((s) => s.status))].sort().map((status) => ({ status, n: facts.filter((s) => s.status === status).length }))
      expect(byStatus).toEqual(expected)
      const ada = yield* sql<{ email: string; name: string; opens_count: number; group_ids: Array<string>; subscribed_at: Date }>`
        SELECT email, name, opens_count, group_ids, subscribed_at FROM newsletter.ml_subscribers WHERE id = ${facts[0]!.id}`
      expect(ada[0]).toMatchObject({ email: facts[0]!.email, name: "Ada", opens_count: facts[0]!.opens, group_ids: ["1", "2"] })
      expect(ada[0]!.subscribed_at.toISOString()).toBe(`${facts[0]!.subscribedAt.replace(" ", "T")}.000Z`)
      const campaigns = yield* sql<{ name: string; unique_clicks_count: number; click_rate: string }>`SELECT name, unique_clicks_count, click_rate::text FROM newsletter.ml_campaigns ORDER BY id`
      expect(campaigns.map((c) => [c.name, c.unique_clicks_count])).toEqual(campaignFacts.map((c) => [c.name, c.uniqueClicks]))
      const readers = yield* sql<{ active_count: number }>`SELECT active_count FROM newsletter.ml_groups WHERE name = 'readers'`
      expect(readers[0]!.active_count).toBe(facts.filter((s) => s.status === "active").length)
      // Every call carried the API version and stayed within the rate limit.
      expect(server.requests.every((r) => r.path.startsWith("/api/"))).toBe(true)
    }))

  it.effect("a subscriber deleted in MailerLite is marked deleted after a complete pass, not before", () =>
    Effect.gen(function*() {
      const removed = server.subscribers.splice(5, 1)[0]!
      // A pass that dies half-way marks nobody.
      server.faults.push(...Array.from({ length: 4 }, () => ({ kind: "pass" as const })), ...Array.from({ length: 5 }, () => ({ kind: "status" as const, status: 500 })))
      const broken = yield* run()
      expect(broken.failures.map((f) => f.stream)).toEqual(["subscribers"])
      const sql = yield* HubWriter
      const before = yield* sql<{ deleted_at: Date | null }>`SELECT deleted_at FROM newsletter.ml_subscribers WHERE id = ${removed.id}`
      expect(before[0]!.deleted_at).toBeNull()
      const resumed = yield* run()
      expect(resumed.failures).toEqual([])
      expect(resumed.warnings.join("\n")).toContain("resuming the pass")
      expect(resumed.warnings.join("\n")).toContain("1 no longer in MailerLite")
      const after = yield* sql<{ deleted_at: Date | null }>`SELECT deleted_at FROM newsletter.ml_subscribers WHERE id = ${removed.id}`
      expect(after[0]!.deleted_at).not.toBeNull()
      server.subscribers.splice(5, 0, removed)
      yield* run()
      const back = yield* sql<{ deleted_at: Date | null }>`SELECT deleted_at FROM newsletter.ml_subscribers WHERE id = ${removed.id}`
      expect(back[0]!.deleted_at).toBeNull()
    }))

  it.effect("a 429 with Retry-After from the rate limiter is waited out; a wrong token is Unauthorized at once", () =>
    Effect.gen(function*() {
      server.faults.push({ kind: "status", status: 429, body: '{"message":"Too Many Attempts."}', headers: { "retry-after": "1", "x-ratelimit-remaining": "0" } })
      const started = Date.now()
      expect((yield* run()).failures).toEqual([])
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
      const before = server.requests.length
      const wrong = yield* run({ SOLOHUB_MAILERLITE_TOKEN: "wrong-token" })
      expect(wrong.failures.map((f) => f.reason)).toEqual(["Unauthorized", "Unauthorized", "Unauthorized"])
      expect(wrong.failures[0]!.message).toContain("Unauthenticated.")
      expect(wrong.failures.map((f) => f.message).join()).not.toContain("wrong-token")
      expect(server.requests.length).toBe(before)
    }))

  it.effect("the client-side limiter keeps a run under the configured requests per minute", () =>
    Effect.gen(function*() {
      const started = Date.now()
      // 2 groups pages… with 3 requests a minute allowed, the 4th request must wait for the next window.
      const outcome = yield* run({ SOLOHUB_MAILERLITE_REQUESTS_PER_MINUTE: "3", SOLOHUB_MAILERLITE_PAGE_SIZE: "1000" }).pipe(Effect.timeout("5 seconds"), Effect.either)
      expect(outcome._tag).toBe("Left")
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900)
    }), 20_000)
})

conformance({
  source: "mailerlite",
  env: settings,
  server,
  sync,
  today: "2026-11-22",
  tables: ["newsletter.ml_subscribers", "newsletter.ml_groups", "newsletter.ml_campaigns"],
  expectedRows: { "newsletter.ml_subscribers": facts.length, "newsletter.ml_groups": 2, "newsletter.ml_campaigns": campaignFacts.length },
  budgetVariable: "SOLOHUB_MAILERLITE_DAILY_BUDGET",
  volatileColumns: ["fetched_at", "seen_pass"]
})
