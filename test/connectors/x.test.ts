import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { sync } from "../../lib/connectors/x/X.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { startX, xPosts } from "../support/servers/x.ts"
import { makeTestEnv } from "../support/TestEnv.ts"
import { conformance } from "./conformance.ts"

const today = "2026-11-22"
const userId = "2244994945"
const timeline = xPosts(userId, "2026-11-21", 60)
const server = await startX({ token: "x-test-token", userId, posts: timeline })
afterAll(() => server.close())
// 60 posts, 8 hours apart: 20 days; a 30-day refresh window reads them all in 5-post pages.
const settings = { SOLOHUB_X_USER_ID: userId, SOLOHUB_X_BEARER_TOKEN: "x-test-token", SOLOHUB_X_BASE_URL: server.url, SOLOHUB_X_PAGE_SIZE: "10" }
const env = makeTestEnv({ ...settings, SOLOHUB_HTTP_RETRY_BASE_MS: "5", SOLOHUB_HTTP_RETRY_CAP_MS: "20" })
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const run = (overrides: Record<string, string> = {}) =>
  Effect.flatMap(HubWriter, (ledger) =>
    sync({ ledger, today }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...env.env, ...overrides }))))))

layer(base, { timeout: 120_000, excludeTestServices: true })("X against the local API", (it) => {
  it.effect("pages the timeline to the end with next_token; threads are recognised; metrics are refreshed on the next run", () =>
    Effect.gen(function*() {
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      expect(outcome.rows).toBe(60)
      const sql = yield* HubWriter
      const [counts] = yield* sql<{ posts: string; replies: string; threads: string; likes: string }>`
        SELECT count(*)::text AS posts, count(*) FILTER (WHERE is_thread_reply)::text AS replies,
               count(DISTINCT conversation_id) FILTER (WHERE is_thread_reply)::text AS threads, sum(likes)::text AS likes FROM social.x_posts`
      expect(counts).toEqual({
        posts: "60", replies: "24", threads: "12",
        likes: String(timeline.reduce((s, p) => s + p.public_metrics.like_count, 0))
      })
      // A post gains likes: the next nightly run updates it in place.
      ;(timeline[3]!.public_metrics as { like_count: number }).like_count += 100
      yield* run()
      const [after] = yield* sql<{ likes: number }>`SELECT likes FROM social.x_posts WHERE id = ${timeline[3]!.id}`
      expect(after!.likes).toBe(timeline[3]!.public_metrics.like_count)
    }))

  it.effect("a 429 without Retry-After waits until x-rate-limit-reset; a spent window far away stops the run and the next resumes at the saved page", () =>
    Effect.gen(function*() {
      // The window resets in 1–2 s (whole seconds): the 429 is waited out via x-rate-limit-reset.
      server.window = { remaining: 0, resetAt: Math.floor(Date.now() / 1000) + 2 }
      const started = Date.now()
      expect((yield* run()).failures).toEqual([])
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      // Two pages left in a window that resets in 15 minutes: the run stops and says so.
      server.window = { remaining: 2, resetAt: Math.floor(Date.now() / 1000) + 900 }
      const stopped = yield* run()
      expect(stopped.warnings.join("\n")).toContain("rate-limit window is spent")
      const sql = yield* HubWriter
      const [cursor] = yield* sql<{ position: string }>`SELECT position FROM ops.sync_cursors WHERE source = 'x'`
      expect(cursor!.position).toMatch(/"next"/)
      server.window = { remaining: 900, resetAt: Math.floor(Date.now() / 1000) + 900 }
      const before = server.requests.length
      const resumed = yield* run()
      expect(resumed.warnings.join("\n")).toContain("resuming the pass")
      expect(server.requests[before]!.pagination_token).toBeDefined()
    }))

  it.effect("a wrong token is Unauthorized without a retry loop", () =>
    Effect.gen(function*() {
      const outcome = yield* run({ SOLOHUB_X_BEARER_TOKEN: "wrong" })
      expect(outcome.failures.map((f) => f.reason)).toEqual(["Unauthorized"])
    }))
})

conformance({
  source: "x",
  env: settings,
  server,
  sync,
  today,
  tables: ["social.x_posts"],
  expectedRows: { "social.x_posts": 60 },
  budgetVariable: "SOLOHUB_X_DAILY_BUDGET"
})
