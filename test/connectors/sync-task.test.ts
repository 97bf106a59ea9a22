import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { afterAll } from "vitest"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { TaskLedger } from "../../lib/ops/TaskLedger.ts"
import { blogFacts, startSearchConsole } from "../support/servers/searchConsole.ts"
import { runTask } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 })
const siteUrl = "sc-domain:blog.example.com"
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const finalUntil = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)
const server = await startSearchConsole({ sites: [siteUrl], publicKey: keys.publicKey, facts: blogFacts(yesterday, 10), finalUntil })
afterAll(() => server.close())
const env = makeTestEnv({
  SOLOHUB_GSC_SITES: `blog=${siteUrl}`,
  SOLOHUB_GSC_SERVICE_ACCOUNT_JSON: JSON.stringify({ client_email: "t@t.iam.gserviceaccount.com", private_key: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString() }),
  SOLOHUB_GSC_BASE_URL: server.url,
  SOLOHUB_GSC_TOKEN_URL: server.tokenUrl,
  SOLOHUB_GSC_INITIAL_DAYS: "3"
})

layer(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)), { timeout: 120_000, excludeTestServices: true })("npm run sync", (it) => {
  it.effect("refuses to load real data before a restore drill has passed, and loads with --allow-undrilled, saying so", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.promise(() => runTask("tasks/sync.ts", ["search-console"], env.env))
      expect(refused.code).toBe(1)
      expect(refused.stdout).toContain("no restore drill has passed")
      expect(server.requests).toHaveLength(0)
      const allowed = yield* Effect.promise(() => runTask("tasks/sync.ts", ["search-console", "--allow-undrilled"], env.env))
      expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0)
      expect(allowed.stdout).toContain("running WITHOUT a passed restore drill")
      expect(allowed.stdout).toContain("search-console: ")
      expect(allowed.stdout).not.toContain("PRIVATE KEY")
    }))

  it.effect("`sync all` takes each source's lock: a source another run is syncing is skipped, not synced twice", () =>
    Effect.scoped(Effect.gen(function*() {
      const ledger = yield* TaskLedger
      expect(yield* ledger.lock("source:search-console", 0)).toBe(true)
      const before = server.requests.length
      const result = yield* Effect.promise(() => runTask("tasks/sync.ts", ["all", "--allow-undrilled"], env.env))
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("search-console is being synced by another run: skipped")
      expect(server.requests.length).toBe(before)
      const direct = yield* Effect.promise(() => runTask("tasks/sync.ts", ["search-console", "--allow-undrilled"], env.env))
      expect(direct.code).toBe(75)
    })).pipe(Effect.provide(TaskLedger.layer.pipe(Layer.provide(HubWriter.layer)))))

  it.effect("`sync all` skips a source that is not configured and says so", () =>
    Effect.gen(function*() {
      const bare = { ...env.env }
      delete bare.SOLOHUB_GSC_SITES
      const result = yield* Effect.promise(() => runTask("tasks/sync.ts", ["all", "--allow-undrilled"], bare))
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("search-console is not configured: skipped")
    }))

  it.effect("backfill loads exactly the range, resumes after a failure without re-fetching finished days, and never moves the nightly cursor back", () =>
    Effect.gen(function*() {
      const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)
      const sql = yield* HubWriter
      const cursorBefore = yield* sql<{ position: string }>`SELECT position FROM ops.sync_cursors WHERE source = 'search-console' AND stream = 'page'`
      expect(cursorBefore[0]?.position).toBe(finalUntil)
      // The probe, three days of `site`, one of `page`, then a 400 on the second day of `page`.
      server.faults.push(...Array.from({ length: 5 }, () => ({ kind: "pass" as const })), { kind: "status", status: 400 })
      const args = ["search-console", "--from", day(9), "--to", day(7), "--allow-undrilled"]
      const failed = yield* Effect.promise(() => runTask("tasks/backfill.ts", args, env.env))
      expect(failed.code, failed.stdout + failed.stderr).toBe(1)
      expect(failed.stdout).toContain("HTTP 400")
      const before = server.requests.length
      const resumed = yield* Effect.promise(() => runTask("tasks/backfill.ts", args, env.env))
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      // Only the probe and the two `page` days left over were fetched.
      const fetched = server.requests.slice(before).map((r) => `${(r.body.dimensions as Array<string> | undefined)?.join("+")} ${String(r.body.startDate)}`)
      expect(fetched).toEqual([expect.stringMatching(/^date \d{4}-/), `date+page ${day(8)}`, `date+page ${day(7)}`])
      expect(resumed.stdout).toMatch(/backfill search-console .*: \d+\/\d+ slices · \d+ pages · [\d,]+ rows · quota blog [\d,]+ left/)
      const days = yield* sql<{ report: string; n: string }>`
        SELECT report, count(*)::text AS n FROM search.gsc_fetch_log WHERE date BETWEEN ${day(9)}::date AND ${day(7)}::date GROUP BY report ORDER BY report`
      expect(days).toEqual(["page", "page_query", "query", "site"].map((report) => ({ report, n: "3" })))
      const cursorAfter = yield* sql<{ position: string }>`SELECT position FROM ops.sync_cursors WHERE source = 'search-console' AND stream = 'page'`
      expect(cursorAfter[0]?.position).toBe(finalUntil)
      const expected = server.facts.filter((f) => f.date >= day(9) && f.date <= day(7)).reduce((sum, f) => sum + f.impressions, 0)
      const loaded = yield* sql<{ n: string }>`SELECT sum(impressions)::text AS n FROM search.gsc_page_daily WHERE date BETWEEN ${day(9)}::date AND ${day(7)}::date`
      expect(loaded[0]?.n).toBe(String(expected))
    }).pipe(Effect.provide(HubWriter.layer)))

  it.effect("backfill refuses a range the API cannot serve and a malformed date, before any request", () =>
    Effect.gen(function*() {
      const before = server.requests.length
      const old = yield* Effect.promise(() => runTask("tasks/backfill.ts", ["search-console", "--from", "2020-01-01", "--to", "2020-01-31", "--allow-undrilled"], env.env))
      expect(old.code).toBe(1)
      expect(old.stdout).toContain("Search Console keeps 16 months")
      const bad = yield* Effect.promise(() => runTask("tasks/backfill.ts", ["search-console", "--from", "2026-13-01", "--to", "2026-12-31"], env.env))
      expect(bad.code).not.toBe(0)
      expect(bad.stdout + bad.stderr).toContain("expected a date as YYYY-MM-DD")
      expect(server.requests.length).toBe(before)
    }))
})
