import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import { afterAll } from "vitest"
import { record, tagUrl, trace, verify } from "../../lib/attribution/UtmCheck.ts"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { runTask } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

/** A site with the redirects that keep or lose a query string. */
const site = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost")
  const origin = `http://127.0.0.1:${(site.address() as { port: number }).port}`
  if (url.pathname === "/bare") return res.writeHead(301, { location: `${origin}/keep${url.search}` }).end()
  if (url.pathname === "/keep") return res.writeHead(308, { location: `/landing/${url.search}` }).end()
  if (url.pathname === "/strip") return res.writeHead(302, { location: "/landing/" }).end()
  if (url.pathname === "/loop") return res.writeHead(302, { location: `/loop${url.search}` }).end()
  if (url.pathname === "/landing/") return res.writeHead(200, { "content-type": "text/html" }).end("<html><body>landing</body></html>")
  res.writeHead(404, { "content-type": "text/html" }).end("not found")
})
await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve))
afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())))
const origin = `http://127.0.0.1:${(site.address() as { port: number }).port}`
const tags = (campaign: string) => ({ source: "solohub", medium: "check", campaign })

const env = makeTestEnv()
const base = Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici).pipe(Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer))))

layer(base, { timeout: 120_000, excludeTestServices: true })("UTM checks", (it) => {
  it.effect("a link whose redirects carry the query keeps its parameters to the landing page", () =>
    Effect.gen(function*() {
      const result = yield* trace(tagUrl(`${origin}/bare?ref=nav`, tags("c-keep")), { timeoutMillis: 2000 })
      expect(result.hops.map((h) => [h.status, new URL(h.url).pathname, h.missing])).toEqual([[301, "/bare", []], [308, "/keep", []], [200, "/landing/", []]])
      expect(result).toMatchObject({ kept: true, problem: null, finalUrl: `${origin}/landing/?ref=nav&utm_source=solohub&utm_medium=check&utm_campaign=c-keep` })
    }))

  it.effect("a redirect that drops the query is named, with what it drops; a loop and a missing page are problems too", () =>
    Effect.gen(function*() {
      const stripped = yield* trace(tagUrl(`${origin}/strip`, tags("c-strip")), { timeoutMillis: 2000 })
      expect(stripped.kept).toBe(false)
      expect(stripped.problem).toBe(`the 302 redirect from ${origin}/strip?utm_source=solohub&utm_medium=check&utm_campaign=c-strip to ${origin}/landing/ drops utm_source, utm_medium, utm_campaign`)
      const loop = yield* trace(tagUrl(`${origin}/loop`, tags("c-loop")), { timeoutMillis: 2000, maxHops: 4 })
      expect(loop).toMatchObject({ kept: false, finalUrl: null, problem: "more than 4 redirects (a loop?): the visit never lands" })
      expect(loop.hops).toHaveLength(5)
      const gone = yield* trace(tagUrl(`${origin}/old-post`, tags("c-gone")), { timeoutMillis: 2000 })
      expect(gone.problem).toBe(`the landing page ${origin}/old-post?utm_source=solohub&utm_medium=check&utm_campaign=c-gone answers HTTP 404`)
      const nobody = yield* trace(tagUrl("http://127.0.0.1:9/", tags("c-down")), { timeoutMillis: 2000 })
      expect(nobody.problem).toMatch(/^http:\/\/127\.0\.0\.1:9\/\?utm_source=solohub&utm_medium=check&utm_campaign=c-down did not answer/)
    }))

  it.effect("verify: a campaign GA4 counted is seen (and how GA4 classified it); one not yet loaded waits; one GA4 never saw is missing", () =>
    Effect.gen(function*() {
      const sql = yield* HubWriter
      const now = new Date("2026-11-20T12:00:00Z")
      const kept = (campaign: string) => Effect.flatMap(trace(tagUrl(`${origin}/bare`, tags(campaign)), { timeoutMillis: 2000 }), (r) => record(sql, `${origin}/bare`, tags(campaign), r, now))
      yield* kept("solohub-check-seen")
      yield* kept("solohub-check-lost")
      // A link that dropped its parameters cannot arrive: it is not looked for.
      yield* Effect.flatMap(trace(tagUrl(`${origin}/strip`, tags("solohub-check-dropped")), { timeoutMillis: 2000 }), (r) => record(sql, `${origin}/strip`, tags("solohub-check-dropped"), r, now))
      // GA4 has loaded through the 19th: nothing can be known yet.
      yield* sql`INSERT INTO analytics.ga4_traffic_daily (property, ga4_property_id, date, session_source, session_medium, session_campaign_name, sessions, engaged_sessions, total_users, key_events, fetched_at)
                 VALUES ('blog', '123', '2026-11-19', 'google', 'organic', '(organic)', 40, 30, 35, 2, now())`
      expect((yield* verify(sql, now)).map((v) => v.state)).toEqual(["waiting", "waiting"])
      // Four days later GA4 has the visit of one of them, under the campaign name.
      yield* sql`INSERT INTO analytics.ga4_traffic_daily (property, ga4_property_id, date, session_source, session_medium, session_campaign_name, sessions, engaged_sessions, total_users, key_events, fetched_at)
                 VALUES ('blog', '123', '2026-11-21', 'solohub', 'check', 'solohub-check-seen', 1, 1, 1, 0, now()),
                        ('blog', '123', '2026-11-23', 'google', 'organic', '(organic)', 38, 30, 33, 1, now())`
      const later = yield* verify(sql, new Date("2026-11-24T12:00:00Z"))
      expect(later.map((v) => [v.campaign, v.state])).toEqual([["solohub-check-seen", "seen"], ["solohub-check-lost", "missing"]])
      expect(later[0]!.message).toBe("solohub-check-seen: GA4 counted 1 session(s) from 2026-11-21, as solohub / check")
      expect(later[1]!.message).toContain("has no session with this campaign: the UTM parameters are lost after the page loads")
      const [stored] = yield* sql<{ verified: boolean; seen_as: string }>`SELECT verified_at IS NOT NULL AS verified, ga4_seen_as AS seen_as FROM ops.utm_checks WHERE utm_campaign = 'solohub-check-seen'`
      expect(stored).toEqual({ verified: true, seen_as: "solohub / check" })
      // A verified check is not looked for again.
      expect((yield* verify(sql, new Date("2026-11-25T12:00:00Z"))).map((v) => v.campaign)).toEqual(["solohub-check-lost"])
    }))

  it.effect("npm run utm-check: a dropping redirect exits 3 naming it; a clean link prints the link to open; --verify reports", () =>
    Effect.gen(function*() {
      const stripped = yield* Effect.promise(() => runTask("tasks/utm-check.ts", [`${origin}/strip`, "--campaign", "cli-strip"], env.env))
      expect(stripped.code, stripped.stdout + stripped.stderr).toBe(3)
      expect(stripped.stdout).toContain(`the parameters do not survive: the 302 redirect from ${origin}/strip?utm_source=solohub&utm_medium=check&utm_campaign=cli-strip`)
      // The same campaign checked again (the redirect fixed) replaces its trace.
      const again = yield* Effect.promise(() => runTask("tasks/utm-check.ts", [`${origin}/bare`, "--campaign", "cli-strip"], env.env))
      expect(again.code, again.stdout + again.stderr).toBe(0)
      const sql = yield* HubWriter
      expect(yield* sql<{ kept: boolean; problem: string | null }>`SELECT kept, problem FROM ops.utm_checks WHERE utm_campaign = 'cli-strip'`).toEqual([{ kept: true, problem: null }])
      const clean = yield* Effect.promise(() => runTask("tasks/utm-check.ts", [`${origin}/bare`], env.env))
      expect(clean.code, clean.stdout + clean.stderr).toBe(0)
      expect(clean.stdout).toMatch(/open this link once in a browser[^\n]*\n {2}http:\/\/127\.0\.0\.1:\d+\/bare\?utm_source=solohub&utm_medium=check&utm_campaign=solohub-check-\d{8}-[0-9a-f]{6}\n/)
      const verified = yield* Effect.promise(() => runTask("tasks/utm-check.ts", ["--verify"], env.env))
      expect(verified.stdout).toMatch(/waiting +solohub-check-\d{8}-[0-9a-f]{6}: not in GA4 yet/)
      expect(verified.stdout).toMatch(/waiting +cli-strip: not in GA4 yet/)
    }))
})
