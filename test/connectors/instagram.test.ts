import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { afterAll } from "vitest"
import { bucWait } from "../../lib/connectors/instagram/Api.ts"
import { sync } from "../../lib/connectors/instagram/Instagram.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { igMedia, startInstagram } from "../support/servers/instagram.ts"
import { makeTestEnv } from "../support/TestEnv.ts"
import { conformance } from "./conformance.ts"

const today = "2026-11-22"
const media = igMedia("2026-11-21", 24)
const server = await startInstagram({ token: "ig-test-token", userId: "17841400000000000", media })
afterAll(() => server.close())
// 24 posts two days apart (48 days); the last 30 days (15 posts) get insights and comments.
const settings = {
  SOLOHUB_INSTAGRAM_USER_ID: "17841400000000000",
  SOLOHUB_INSTAGRAM_ACCESS_TOKEN: "ig-test-token",
  SOLOHUB_INSTAGRAM_BASE_URL: server.url,
  SOLOHUB_INSTAGRAM_PAGE_SIZE: "10",
  SOLOHUB_INSTAGRAM_METRICS: "reach,saved,views"
}
const env = makeTestEnv({ ...settings, SOLOHUB_HTTP_RETRY_BASE_MS: "5", SOLOHUB_HTTP_RETRY_CAP_MS: "20" })
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const run = (overrides: Record<string, string> = {}) =>
  Effect.flatMap(HubWriter, (ledger) =>
    sync({ ledger, today }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...env.env, ...overrides }))))))
const recent = media.filter((m) => Date.parse(m.timestamp.replace("+0000", "Z")) >= Date.parse("2026-10-23T00:00:00Z"))

describe("the Business Use Case header", () => {
  it("turns estimated_time_to_regain_access (minutes) into a wait", () => {
    expect(bucWait('{"123":[{"type":"instagram","call_count":100,"estimated_time_to_regain_access":2}]}')).toEqual(Option.some(120_000))
    expect(bucWait('{"123":[{"type":"instagram","call_count":10,"estimated_time_to_regain_access":0}]}')).toEqual(Option.none())
    expect(bucWait("not json")).toEqual(Option.none())
  })
})

layer(base, { timeout: 120_000, excludeTestServices: true })("Instagram against the local Graph API", (it) => {
  it.effect("loads every media through cursor paging, insights per metric for recent media, and their comments", () =>
    Effect.gen(function*() {
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      expect(outcome.warnings).toEqual([])
      const sql = yield* HubWriter
      const [counts] = yield* sql<{ media: string; insights: string; comments: string }>`
        SELECT (SELECT count(*)::text FROM social.ig_media) AS media, (SELECT count(*)::text FROM social.ig_media_insights) AS insights,
               (SELECT count(*)::text FROM social.ig_comments) AS comments`
      expect(counts).toEqual({
        media: "24",
        insights: String(recent.length * 3),
        comments: String(recent.reduce((s, m) => s + m.comments.length, 0))
      })
    }))

  it.effect("a deprecated metric fails only itself: a clear warning, the other metrics load, the stream does not fail", () =>
    Effect.gen(function*() {
      server.deprecated.add("views")
      const sql = yield* HubWriter
      yield* sql`DELETE FROM social.ig_media_insights`
      const outcome = yield* run()
      server.deprecated.clear()
      expect(outcome.failures).toEqual([])
      expect(outcome.warnings).toContain('insights: the metric "views" is not available (deprecated or not valid for this media): skipped, the other metrics load')
      const metrics = yield* sql<{ metric: string; n: string }>`SELECT metric, count(*)::text AS n FROM social.ig_media_insights GROUP BY metric ORDER BY metric`
      expect(metrics).toEqual([{ metric: "reach", n: String(recent.length) }, { metric: "saved", n: String(recent.length) }])
    }))

  it.effect("development mode (counts above zero, no comment content) is reported, and the stored comments are kept; in live mode no such warning", () =>
    Effect.gen(function*() {
      const sql = yield* HubWriter
      const before = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM social.ig_comments`
      server.devMode = true
      const hidden = yield* run()
      server.devMode = false
      expect(hidden.warnings.some((w) => w.startsWith("comments: the app is in development mode; comment content is hidden"))).toBe(true)
      expect(yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM social.ig_comments`).toEqual(before)
      const live = yield* run()
      expect(live.warnings.some((w) => w.includes("development mode"))).toBe(false)
    }))

  it.effect("an invalid token (Graph code 190) is Unauthorized at once", () =>
    Effect.gen(function*() {
      const outcome = yield* run({ SOLOHUB_INSTAGRAM_ACCESS_TOKEN: "expired" })
      expect(outcome.failures.map((f) => f.reason)).toEqual(["Unauthorized"])
      expect(outcome.failures[0]!.message).toContain("Invalid OAuth access token")
    }))
})

conformance({
  source: "instagram",
  env: settings,
  server,
  sync,
  today,
  tables: ["social.ig_media", "social.ig_media_insights", "social.ig_comments"],
  expectedRows: { "social.ig_media": 24, "social.ig_media_insights": recent.length * 3, "social.ig_comments": recent.reduce((s, m) => s + m.comments.length, 0) },
  budgetVariable: "SOLOHUB_INSTAGRAM_DAILY_BUDGET"
})
