import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { afterAll } from "vitest"
import { sync } from "../../lib/connectors/search-console/SearchConsole.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { consumeQuota } from "../../lib/sync/Ledger.ts"
import { blogFacts, startSearchConsole } from "../support/servers/searchConsole.ts"
import { layerFor, makeTestEnv } from "../support/TestEnv.ts"
import { conformance } from "./conformance.ts"

const finalUntil = "2026-11-19"
const today = "2026-11-22"
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 })
const siteUrl = "sc-domain:blog.example.com"
const facts = blogFacts("2026-11-21", 20)
const server = await startSearchConsole({ sites: [siteUrl], publicKey: keys.publicKey, facts, finalUntil, refreshToken: "1//refresh-test" })
afterAll(() => server.close())

const serviceAccount = JSON.stringify({
  client_email: "solohub@test.iam.gserviceaccount.com",
  private_key: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  private_key_id: "test-key"
})
const env = makeTestEnv({
  SOLOHUB_GSC_SITES: `blog=${siteUrl}`,
  SOLOHUB_GSC_SERVICE_ACCOUNT_JSON: serviceAccount,
  SOLOHUB_GSC_BASE_URL: server.url,
  SOLOHUB_GSC_TOKEN_URL: server.tokenUrl,
  SOLOHUB_GSC_ROW_LIMIT: "25",
  SOLOHUB_GSC_INITIAL_DAYS: "5",
  SOLOHUB_HTTP_RETRY_BASE_MS: "5",
  SOLOHUB_HTTP_RETRY_CAP_MS: "20"
})
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const run = (options: { since?: string; until?: string } = {}) =>
  Effect.flatMap(HubWriter, (ledger) => sync({ ledger, today, ...options }))

/** Everything loaded, as comparable text: what a clean run must equal. */
const snapshot = Effect.flatMap(HubWriter, (sql) =>
  Effect.map(
    sql<{ t: string; n: string; s: string }>`
      SELECT 'site' AS t, count(*)::text AS n, coalesce(sum(clicks), 0)::text || '/' || coalesce(sum(impressions), 0)::text AS s FROM search.gsc_site_daily
      UNION ALL SELECT 'page', count(*)::text, coalesce(sum(clicks), 0)::text || '/' || coalesce(sum(impressions), 0)::text FROM search.gsc_page_daily
      UNION ALL SELECT 'query', count(*)::text, coalesce(sum(clicks), 0)::text || '/' || coalesce(sum(impressions), 0)::text FROM search.gsc_query_daily
      UNION ALL SELECT 'page_query', count(*)::text, md5(string_agg(page || query || date || clicks || '/' || impressions, ',' ORDER BY page, query, date)) FROM search.gsc_page_query_daily`,
    (rows) => Object.fromEntries(rows.map((r) => [r.t, `${r.n}:${r.s}`]))
  ))

const expectedTotals = (from: string, until: string) => {
  const inRange = facts.filter((f) => f.date >= from && f.date <= until)
  return `${inRange.reduce((s, f) => s + f.clicks, 0)}/${inRange.reduce((s, f) => s + f.impressions, 0)}`
}

layer(base, { timeout: 120_000, excludeTestServices: true })("Search Console end to end against the local API", (it) => {
  it.effect("loads the final days of all four reports through paging, with the service-account grant; a rerun changes nothing", () =>
    Effect.gen(function*() {
      const outcome = yield* run()
      expect(outcome.failures).toEqual([])
      expect(outcome.days).toBe(5)
      const first = yield* snapshot
      expect(first.site).toBe(`5:${expectedTotals("2026-11-15", finalUntil)}`)
      expect(first.page_query!.startsWith("300:")).toBe(true)
      const sql = yield* HubWriter
      const log = yield* sql<{ pages: number }>`SELECT pages FROM search.gsc_fetch_log WHERE report = 'page_query' LIMIT 1`
      expect(log[0]!.pages).toBe(3)
      const cursor = yield* sql<{ position: string }>`SELECT position FROM ops.sync_cursors WHERE source = 'search-console' AND stream = 'page_query'`
      expect(cursor[0]!.position).toBe(finalUntil)
      // Incomplete days are never loaded.
      const beyond = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM search.gsc_site_daily WHERE date > ${finalUntil}::date`
      expect(beyond[0]!.n).toBe("0")
      yield* run()
      expect(yield* snapshot).toEqual(first)
    }))

  it.effect("429 with Retry-After (seconds, 0 and an HTTP-date), a burst of 500s and a connection reset are retried to the same data", () =>
    Effect.gen(function*() {
      const before = yield* snapshot
      const started = Date.now()
      // At most four failures per request: the fifth attempt gets through.
      server.faults.push(
        { kind: "status", status: 429, headers: { "retry-after": "1" }, body: '{"error":{"code":429,"message":"Rate Limit Exceeded","errors":[{"domain":"usageLimits","reason":"rateLimitExceeded","message":"Rate Limit Exceeded"}]}}' },
        { kind: "status", status: 429, headers: { "retry-after": "0" } },
        { kind: "status", status: 503 },
        { kind: "reset" },
        { kind: "pass" },
        { kind: "status", status: 429, headers: { "retry-after": new Date(Date.now() + 2000).toUTCString() } },
        { kind: "status", status: 500 }
      )
      const outcome = yield* run({ since: "2026-11-17", until: finalUntil })
      expect(outcome.failures).toEqual([])
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
      expect(server.faults).toEqual([])
      expect(yield* snapshot).toEqual(before)
    }))

  it.effect("Google's quota 403 is retried as a rate limit; a permission 403 fails that site with a clear message", () =>
    Effect.gen(function*() {
      server.faults.push({ kind: "status", status: 403, body: '{"error":{"errors":[{"domain":"usageLimits","reason":"quotaExceeded","message":"Quota Exceeded"}],"code":403,"message":"Quota Exceeded"}}' })
      expect((yield* run({ since: finalUntil })).failures).toEqual([])
      server.faults.push({ kind: "status", status: 403, body: '{"error":{"code":403,"message":"User does not have sufficient permission","errors":[{"reason":"forbidden","domain":"global"}],"status":"PERMISSION_DENIED"}}' })
      const outcome = yield* run({ since: finalUntil })
      expect(outcome.failures.map((f) => f.reason)).toEqual(["Forbidden"])
    }))

  it.effect("exhausted retries fail that stream with what was tried, and the other streams finish", () =>
    Effect.gen(function*() {
      // Probe passes; the site report then meets five 500s in a row.
      server.faults.push({ kind: "status", status: 200, body: JSON.stringify({ rows: [{ keys: [finalUntil], clicks: 1, impressions: 1, ctr: 1, position: 1 }] }) })
      for (let i = 0; i < 5; i++) server.faults.push({ kind: "status", status: 500 })
      const outcome = yield* run({ since: finalUntil })
      expect(outcome.failures).toHaveLength(1)
      expect(outcome.failures[0]!.message).toContain("gave up after 5 attempts (HTTP 500, HTTP 500, HTTP 500, HTTP 500, HTTP 500)")
      expect(outcome.failures[0]!.stream).toBe("site")
      expect(outcome.rows).toBeGreaterThan(0)
    }))

  it.effect("truncated JSON and a wrong field type are drift: the stream fails naming the field, the raw payload is kept, the rest loads", () =>
    Effect.gen(function*() {
      server.faults.push({ kind: "status", status: 200, body: JSON.stringify({ rows: [{ keys: [finalUntil], clicks: 1, impressions: 1, ctr: 1, position: 1 }] }) }, { kind: "truncate" })
      const truncated = yield* run({ since: finalUntil })
      expect(truncated.failures.map((f) => f.reason)).toEqual(["Drift"])
      expect(truncated.failures[0]!.message).toContain("search-console/site: the response is not valid JSON")
      server.faults.push({ kind: "status", status: 200, body: JSON.stringify({ rows: [{ keys: [finalUntil], clicks: 1, impressions: 1, ctr: 1, position: 1 }] }) }, { kind: "wrong-type" })
      const wrong = yield* run({ since: finalUntil })
      expect(wrong.failures[0]!.message).toMatch(/clicks[\s\S]*Expected number, actual "many"/)
      const sql = yield* HubWriter
      const drifted = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM ops.raw_payloads WHERE status = 'drift' AND error LIKE '%search-console/site%'`
      expect(drifted[0]!.n).toBe("2")
      expect(wrong.rows).toBeGreaterThan(0)
    }))

  it.effect("a run that dies between two pages leaves no partial day and no moved cursor; the rerun converges to a clean run's data", () =>
    Effect.gen(function*() {
      const clean = yield* snapshot
      const sql = yield* HubWriter
      yield* sql`DELETE FROM search.gsc_page_query_daily WHERE date = ${finalUntil}::date`
      yield* sql`UPDATE ops.sync_cursors SET position = '2026-11-18' WHERE source = 'search-console' AND stream = 'page_query'`
      // One day: probe, site, page, query ×3 pages, then page × query page 1 arrives and page 2 never does.
      server.faults.push(...Array.from({ length: 7 }, () => ({ kind: "pass" as const })), { kind: "hang" })
      const died = yield* run({ since: finalUntil }).pipe(Effect.timeout("3 seconds"), Effect.either)
      expect(died._tag).toBe("Left")
      const partial = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM search.gsc_page_query_daily WHERE date = ${finalUntil}::date`
      expect(partial[0]!.n).toBe("0")
      const cursor = yield* sql<{ position: string }>`SELECT position FROM ops.sync_cursors WHERE source = 'search-console' AND stream = 'page_query'`
      expect(cursor[0]!.position).toBe("2026-11-18")
      yield* run()
      expect(yield* snapshot).toEqual(clean)
    }))

  it.effect("a 401 refreshes the token once and goes on", () =>
    Effect.gen(function*() {
      server.revokeTokens()
      expect((yield* run({ since: finalUntil })).failures).toEqual([])
    }))
})

describe("Search Console configuration and quotas", () => {
  layer(base, { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect("the daily budget holds across runs and concurrent callers: exactly the budget is spent", () =>
      Effect.gen(function*() {
        const sql = yield* HubWriter
        const attempts = yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i), () =>
          Effect.either(consumeQuota(sql, { source: "clarity", scope: "project-1", limit: 10, day: "2026-11-22" })), { concurrency: 20 })
        expect(attempts.filter((a) => a._tag === "Right")).toHaveLength(10)
        const refused = attempts.find((a) => a._tag === "Left")
        expect(refused?._tag === "Left" && refused.left._tag === "SourceError" && refused.left.reason).toBe("QuotaExhausted")
        // A new "process" (another connection) sees the same ledger.
        const again = yield* Effect.either(consumeQuota(sql, { source: "clarity", scope: "project-1", limit: 10, day: "2026-11-22" }))
        expect(again._tag).toBe("Left")
        expect((yield* Effect.either(consumeQuota(sql, { source: "clarity", scope: "project-1", limit: 10, day: "2026-11-23" })))._tag).toBe("Right")
      }))

    it.effect("wrong credentials are a configuration error, not a retry loop", () =>
      Effect.gen(function*() {
        const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
        const wrong = layerFor({ ...env.env, SOLOHUB_GSC_SERVICE_ACCOUNT_JSON: JSON.stringify({ client_email: "x@y", private_key: other.privateKey.export({ type: "pkcs8", format: "pem" }).toString() }) })
        const outcome = yield* Effect.flatMap(HubWriter, (ledger) => sync({ ledger, today, since: finalUntil })).pipe(Effect.provide(wrong))
        expect(outcome.failures[0]!.reason).toBe("Config")
        expect(outcome.failures[0]!.message).toContain("Invalid JWT Signature")
        expect(outcome.failures[0]!.message).not.toContain("PRIVATE KEY")
      }))
  })
})

const inWindow = facts.filter((f) => f.date >= "2026-11-15" && f.date <= finalUntil)
const distinct = (key: (f: (typeof facts)[number]) => string) => new Set(inWindow.map(key)).size
conformance({
  source: "search-console",
  env: { SOLOHUB_GSC_SITES: `blog=${siteUrl}`, SOLOHUB_GSC_SERVICE_ACCOUNT_JSON: serviceAccount, SOLOHUB_GSC_BASE_URL: server.url, SOLOHUB_GSC_TOKEN_URL: server.tokenUrl, SOLOHUB_GSC_ROW_LIMIT: "25", SOLOHUB_GSC_INITIAL_DAYS: "5" },
  server,
  sync,
  today,
  tables: ["search.gsc_site_daily", "search.gsc_page_daily", "search.gsc_query_daily", "search.gsc_page_query_daily"],
  expectedRows: {
    "search.gsc_site_daily": distinct((f) => f.date),
    "search.gsc_page_daily": distinct((f) => f.date + f.page),
    "search.gsc_query_daily": distinct((f) => f.date + f.query),
    "search.gsc_page_query_daily": distinct((f) => f.date + f.page + f.query)
  },
  budgetVariable: "SOLOHUB_GSC_DAILY_BUDGET"
})
