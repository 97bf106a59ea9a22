import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import { afterAll } from "vitest"
import { campaignProblem, newCampaign, record, tagUrl, trace, verify } from "../../lib/attribution/UtmCheck.ts"
import { redactPersonal } from "../../lib/sync/Guard.ts"
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
  if (url.pathname === "/bad-location") return res.writeHead(301, { location: "http://[broken" }).end()
  if (url.pathname === "/bot-wall") return res.writeHead(req.headers["user-agent"]?.startsWith("Mozilla/5.0") ? 200 : 403).end()
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
      const broken = yield* trace(tagUrl(`${origin}/bad-location`, tags("c-broken")), { timeoutMillis: 2000 })
      expect(broken.problem).toBe(`${origin}/bad-location?utm_source=solohub&utm_medium=check&utm_campaign=c-broken redirects to "http://[broken", which is not a URL`)
      // A dropped parameter is told apart from a check that could not finish.
      expect([stripped, loop, gone, nobody, broken].map((t) => t.outcome)).toEqual(["dropped", "failed", "failed", "failed", "failed"])
      // Bot walls that turn away unknown clients let a browser's user agent through.
      expect((yield* trace(tagUrl(`${origin}/bot-wall`, tags("c-wall")), { timeoutMillis: 2000 })).outcome).toBe("kept")
    }))

  it("campaign names of their own survive the GA4 sync's redaction of phone-like values; a name that would not is refused", () => {
    for (let i = 0; i < 500; i++) {
      const name = newCampaign()
      expect(redactPersonal(name)).toEqual({ text: name, redacted: false })
    }
    expect(campaignProblem("launch-20261123-4711")).toContain("looks like a phone number or an email to the GA4 sync")
    expect(campaignProblem("launch-check")).toBeUndefined()
  })

  it.effect("verify: seen (from the day before the check on, with how GA4 classified it); waiting until GA4 is loaded two days past the check and three days went by; then missing, once", () =>
    Effect.gen(function*() {
      const sql = yield* HubWriter
      const now = new Date("2026-11-20T12:00:00Z")
      const check = (path: string, campaign: string, source = "solohub") =>
        Effect.flatMap(trace(tagUrl(`${origin}${path}`, { ...tags(campaign), source }), { timeoutMillis: 2000 }), (r) => record(sql, `${origin}${path}`, { ...tags(campaign), source }, r, now))
      const traffic = (day: string, source: string, medium: string, campaign: string, sessions: number) =>
        sql`INSERT INTO analytics.ga4_traffic_daily (property, ga4_property_id, date, session_source, session_medium, session_campaign_name, sessions, engaged_sessions, total_users, key_events, fetched_at)
            VALUES ('blog', '123', ${day}::date, ${source}, ${medium}, ${campaign}, ${sessions}, ${sessions}, ${sessions}, 0, now())`
      const loadedThrough = (property: string, day: string) =>
        sql`INSERT INTO analytics.ga4_fetch_log (ga4_property_id, report, date, row_count, pages, sampled, subject_to_thresholding, data_loss_from_other_row, has_other_row, fetched_at)
            VALUES (${property}, 'traffic', ${day}::date, 1, 1, false, false, false, false, now())`
      yield* check("/bare", "solohub-check-seen")
      yield* check("/bare", "solohub-check-lost")
      yield* check("/bare", "launch-check", "youtube")
      // A link that dropped its parameters cannot arrive: it is not looked for.
      yield* check("/strip", "solohub-check-dropped")
      // An older visit under a reused name is not this check's.
      yield* traffic("2026-10-02", "youtube", "video", "launch-check", 5)
      // Four days later, but the second property's GA4 is loaded only through the day after the check: wait.
      yield* loadedThrough("123", "2026-11-23")
      yield* loadedThrough("456", "2026-11-21")
      yield* traffic("2026-11-21", "solohub", "check", "solohub-check-seen", 1)
      const early = yield* verify(sql, new Date("2026-11-24T12:00:00Z"))
      expect(early.map((v) => [v.campaign, v.state])).toEqual([["solohub-check-seen", "seen"], ["solohub-check-lost", "waiting"], ["launch-check", "waiting"]])
      expect(early[0]!.message).toBe("solohub-check-seen: GA4 counted 1 session(s) from 2026-11-21, as solohub / check")
      // Both properties loaded two days past the check, but only a day after it: still waiting (three days' grace).
      yield* loadedThrough("456", "2026-11-23")
      expect((yield* verify(sql, new Date("2026-11-21T13:00:00Z"))).map((v) => v.state)).toEqual(["waiting", "waiting"])
      // The reused name's visit arrives, classified as something else than the link said.
      yield* traffic("2026-11-22", "(direct)", "(none)", "launch-check", 1)
      const later = yield* verify(sql, new Date("2026-11-24T12:00:00Z"))
      expect(later.map((v) => [v.campaign, v.state])).toEqual([["solohub-check-lost", "missing"], ["launch-check", "seen"]])
      expect(later[0]!.message).toContain("has no session with this campaign: the UTM parameters are lost after the page loads")
      expect(later[1]!.message).toBe("launch-check: GA4 counted 1 session(s) from 2026-11-22, as (direct) / (none) (the link said youtube / check: something between the click and GA4 rewrote it)")
      // Each check ends once: a missing visit is not mailed again every morning.
      expect(yield* verify(sql, new Date("2026-11-25T12:00:00Z"))).toEqual([])
      const stored = yield* sql<{ utm_campaign: string; outcome: string | null }>`SELECT utm_campaign, outcome FROM ops.utm_checks WHERE checked_at = ${now.toISOString()}::timestamptz ORDER BY id`
      expect(stored.map((r) => [r.utm_campaign, r.outcome])).toEqual([["solohub-check-seen", "seen"], ["solohub-check-lost", "missing"], ["launch-check", "seen"], ["solohub-check-dropped", null]])
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
      expect(clean.stdout).toMatch(/open this link once in a browser[^\n]*\n {2}http:\/\/127\.0\.0\.1:\d+\/bare\?utm_source=solohub&utm_medium=check&utm_campaign=solohub-check-[a-z]{8}\n/)
      const verified = yield* Effect.promise(() => runTask("tasks/utm-check.ts", ["--verify"], env.env))
      expect(verified.code, verified.stdout + verified.stderr).toBe(0)
      expect(verified.stdout).toMatch(/waiting +solohub-check-[a-z]{8}: not in GA4 yet/)
      expect(verified.stdout).toMatch(/waiting +cli-strip: not in GA4 yet/)
      // A token in the link is masked in the output and in the stored check; a campaign the GA4 sync would redact is refused.
      const secret = yield* Effect.promise(() => runTask("tasks/utm-check.ts", [`${origin}/bare?token=s3cr3t-value`, "--campaign", "cli-token"], env.env))
      expect(secret.stdout).not.toContain("s3cr3t-value")
      const [stored] = yield* sql<{ row: string }>`SELECT u::text AS row FROM ops.utm_checks u WHERE utm_campaign = 'cli-token'`
      expect(stored!.row).toContain("token=<redacted>")
      expect(stored!.row).not.toContain("s3cr3t-value")
      const refused = yield* Effect.promise(() => runTask("tasks/utm-check.ts", [`${origin}/bare`, "--campaign", "spring-2026-04-01-22"], env.env))
      expect(refused.code).toBe(1)
      expect(refused.stdout + refused.stderr).toContain("looks like a phone number or an email to the GA4 sync")
    }))
})
