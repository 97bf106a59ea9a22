/**
 * Verifying one real tagged visit end to end (docs/attribution.md). UTM parameters are lost silently: a redirect
 * that drops the query string (http → https, the bare domain → www, a trailing-slash rule, a link shortener) turns
 * a campaign's visit into "(direct)", and nothing anywhere says so. A check has two halves:
 *
 * - `trace` follows a tagged link hop by hop, as a browser would, and says at which redirect the parameters went
 *   missing (or that the landing page does not answer);
 * - `verify`, once the founder has opened the link in a browser (GA4 counts only visits whose page runs its tag)
 *   and the nightly GA4 sync has loaded that day, looks for the check's own campaign name in GA4's sessions.
 *
 * Each check gets a campaign name of its own, so the one visit it stands for can be told from every other.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Either } from "effect"
import { randomInt } from "node:crypto"
import { scrubText } from "../config/Redact.ts"
import { addDays } from "../sync/Days.ts"
import { looksPersonal } from "../sync/Guard.ts"

export const utmKeys = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const

export interface Tags {
  readonly source: string
  readonly medium: string
  readonly campaign: string
}

export interface Hop {
  readonly url: string
  /** The HTTP status, or 0 when the request did not get an answer. */
  readonly status: number
  readonly location?: string
  /** The UTM parameters of the tagged link that this URL no longer carries (or carries changed). */
  readonly missing: ReadonlyArray<string>
}

export interface Trace {
  readonly taggedUrl: string
  readonly hops: ReadonlyArray<Hop>
  readonly finalUrl: string | null
  /** The landing page answered 2xx with every parameter intact. */
  readonly kept: boolean
  /** "dropped": a redirect lost or changed a parameter; "failed": the check could not finish (no answer, a loop, an error page). */
  readonly outcome: "kept" | "dropped" | "failed"
  readonly problem: string | null
}

/**
 * A campaign name no other visit has: `solohub-check-kqzvbmtr`. Letters only: the GA4 sync redacts anything in a
 * UTM value that looks like a phone number (lib/sync/Guard.ts), and a date followed by digits does.
 */
export const newCampaign = () => `solohub-check-${Array.from({ length: 8 }, () => "abcdefghijklmnopqrstuvwxyz"[randomInt(26)]).join("")}`

/** Why a campaign name cannot be used for a check, if it cannot. */
export const campaignProblem = (campaign: string) =>
  campaign.trim() === ""
    ? "the campaign name is empty"
    : looksPersonal(campaign)
    ? `the campaign name ${JSON.stringify(campaign)} looks like a phone number or an email to the GA4 sync, which redacts it: the visit could never be found`
    : undefined

/** The link with the check's UTM parameters set (any others it has are kept). */
export const tagUrl = (url: string, tags: Tags) => {
  const tagged = new URL(url)
  tagged.searchParams.set("utm_source", tags.source)
  tagged.searchParams.set("utm_medium", tags.medium)
  tagged.searchParams.set("utm_campaign", tags.campaign)
  return tagged.href
}

const utmOf = (url: string) => {
  const params = new URL(url).searchParams
  return new Map(utmKeys.filter((k) => params.has(k)).map((k) => [k, params.get(k)!]))
}

/**
 * Follows the link's redirects one at a time (at most `maxHops`), noting at each URL which of the tagged link's UTM
 * parameters are gone. Client-side redirects (a meta refresh, JavaScript) are not followed: only a browser visit and
 * `verify` can speak for those.
 */
export const trace = (taggedUrl: string, options: { readonly maxHops?: number; readonly timeoutMillis: number }) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const maxHops = options.maxHops ?? 10
    const wanted = utmOf(taggedUrl)
    const missingAt = (url: string) => {
      const has = utmOf(url)
      return [...wanted].filter(([k, v]) => has.get(k) !== v).map(([k]) => k)
    }
    const hops: Array<Hop> = []
    let url = taggedUrl
    for (let i = 0; i <= maxHops; i++) {
      const answer = yield* client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders({ "user-agent": userAgent, accept: "text/html,application/xhtml+xml" }))).pipe(
        Effect.flatMap((response) => Effect.as(Effect.ignore(response.arrayBuffer), response)),
        Effect.timeout(Duration.millis(options.timeoutMillis)),
        Effect.either
      )
      if (Either.isLeft(answer)) {
        const error = answer.left as { _tag?: string; message?: string }
        hops.push({ url, status: 0, missing: missingAt(url) })
        return finish(taggedUrl, hops, `${url} did not answer (${error._tag === "TimeoutException" ? "timeout" : error.message ?? error._tag})`)
      }
      const { status, headers } = answer.right
      const location = headers["location"]
      hops.push({ url, status, ...(location === undefined ? {} : { location }), missing: missingAt(url) })
      if (status < 300 || status >= 400 || location === undefined) return finish(taggedUrl, hops, null)
      if (i === maxHops) break
      if (!URL.canParse(location, url)) return finish(taggedUrl, hops, `${url} redirects to ${JSON.stringify(location)}, which is not a URL`)
      url = new URL(location, url).href
    }
    return finish(taggedUrl, hops, `more than ${maxHops} redirects (a loop?): the visit never lands`)
  })

const finish = (taggedUrl: string, hops: ReadonlyArray<Hop>, failure: string | null): Trace => {
  const last = hops[hops.length - 1]!
  const dropped = hops.findIndex((h) => h.missing.length > 0)
  const problem = failure ??
    (dropped > 0
      ? `the ${hops[dropped - 1]!.status} redirect from ${hops[dropped - 1]!.url} to ${hops[dropped]!.url} drops ${hops[dropped]!.missing.join(", ")}`
      : dropped === 0
      ? `the link itself lacks ${hops[0]!.missing.join(", ")}`
      : last.status >= 400
      ? `the landing page ${last.url} answers HTTP ${last.status}`
      : null)
  const outcome = problem === null ? "kept" : failure === null && dropped >= 0 ? "dropped" : "failed"
  return { taggedUrl, hops, finalUrl: failure === null ? last.url : null, kept: problem === null, outcome, problem }
}

/** A browser's: bot walls answer an unknown client with a 403 that says nothing about the redirects. */
const userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 solohub-utm-check"

/** The trace with secrets in its URLs (a token parameter, user:password@) masked, for storing and printing. */
export const scrubbed = (t: Trace): Trace => ({
  ...t,
  taggedUrl: scrubText(t.taggedUrl),
  finalUrl: t.finalUrl === null ? null : scrubText(t.finalUrl),
  problem: t.problem === null ? null : scrubText(t.problem),
  hops: t.hops.map((h) => ({ ...h, url: scrubText(h.url), ...(h.location === undefined ? {} : { location: scrubText(h.location) }) }))
})

/**
 * Stores a traced check; its campaign is what `verify` looks for. Checking a campaign again (after fixing a redirect)
 * replaces its trace and opens it again.
 */
export const record = (sql: PgClient.PgClient, url: string, tags: Tags, traced: Trace, now: Date) => {
  const result = scrubbed(traced)
  return sql`INSERT INTO ops.utm_checks (url, tagged_url, utm_source, utm_medium, utm_campaign, hops, final_url, kept, problem, checked_at)
      VALUES (${scrubText(url)}, ${result.taggedUrl}, ${tags.source}, ${tags.medium}, ${tags.campaign}, ${JSON.stringify(result.hops)}::jsonb,
              ${result.finalUrl}, ${result.kept}, ${result.problem}, ${now.toISOString()}::timestamptz)
      ON CONFLICT (utm_campaign) DO UPDATE SET url = EXCLUDED.url, tagged_url = EXCLUDED.tagged_url, utm_source = EXCLUDED.utm_source,
        utm_medium = EXCLUDED.utm_medium, hops = EXCLUDED.hops, final_url = EXCLUDED.final_url, kept = EXCLUDED.kept, problem = EXCLUDED.problem,
        checked_at = EXCLUDED.checked_at, ga4_sessions = NULL, ga4_first_day = NULL, ga4_seen_as = NULL, verified_at = NULL, outcome = NULL`
}

export interface Verification {
  readonly campaign: string
  readonly checkedAt: Date
  readonly state: "seen" | "waiting" | "missing"
  readonly message: string
}

/**
 * Looks for the campaign of every open check whose link kept its parameters (one that dropped them cannot arrive;
 * fix the redirect and check again) in GA4's sessions, from the day before the check on (an older visit with the
 * same name is not this one).
 *
 * - seen: GA4 counted it; the check ends, with how GA4 classified the visit.
 * - waiting: GA4 has not loaded two days past the check for every property (per its fetch log, in each property's
 *   own days), or the check is less than `graceDays` old.
 * - missing: neither — the parameters are lost in the browser, or the link was never opened. Reported once; the
 *   check then ends (run a new one after fixing the cause).
 */
export const verify = (sql: PgClient.PgClient, now: Date, graceDays = 3) =>
  Effect.gen(function*() {
    const checks = yield* sql<{ id: string; utm_source: string; utm_medium: string; utm_campaign: string; checked_at: Date; checked_on: string }>`
      SELECT id::text, utm_source, utm_medium, utm_campaign, checked_at, to_char(checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS checked_on
        FROM ops.utm_checks WHERE outcome IS NULL AND kept ORDER BY checked_at`
    // The day GA4 is loaded through, for the property that lags most: a visit may be on any of them.
    const [loaded] = yield* sql<{ through: string | null; properties: number }>`
      SELECT to_char(min(through), 'YYYY-MM-DD') AS through, count(*)::int AS properties
        FROM (SELECT ga4_property_id, max(date) AS through FROM analytics.ga4_fetch_log WHERE report = 'traffic' GROUP BY ga4_property_id) p`
    const through = loaded?.through ?? null
    const out: Array<Verification> = []
    for (const check of checks) {
      const [seen] = yield* sql<{ sessions: string | null; first_day: string | null; seen_as: string | null }>`
        SELECT sum(sessions)::text AS sessions, to_char(min(date), 'YYYY-MM-DD') AS first_day,
               string_agg(DISTINCT session_source || ' / ' || session_medium, ', ') AS seen_as
          FROM analytics.ga4_traffic_daily WHERE session_campaign_name = ${check.utm_campaign} AND date >= ${check.checked_on}::date - 1`
      const base = { campaign: check.utm_campaign, checkedAt: check.checked_at }
      const ageDays = (now.getTime() - check.checked_at.getTime()) / 86_400_000
      if (seen?.sessions != null && Number(seen.sessions) > 0) {
        yield* sql`UPDATE ops.utm_checks SET ga4_sessions = ${seen.sessions}::numeric, ga4_first_day = ${seen.first_day}::date,
                     ga4_seen_as = ${seen.seen_as}, verified_at = ${now.toISOString()}::timestamptz, outcome = 'seen' WHERE id = ${check.id}::bigint`
        const expected = `${check.utm_source} / ${check.utm_medium}`
        out.push({
          ...base, state: "seen",
          message: `${check.utm_campaign}: GA4 counted ${seen.sessions} session(s) from ${seen.first_day}, as ${seen.seen_as}` +
            (seen.seen_as === expected ? "" : ` (the link said ${expected}: something between the click and GA4 rewrote it)`)
        })
      } else if (through === null || through < addDays(check.checked_on, 2) || ageDays < graceDays) {
        out.push({
          ...base, state: "waiting",
          message: `${check.utm_campaign}: not in GA4 yet (GA4 is loaded through ${through ?? "no day"}); open the tagged link once in a browser if you have not`
        })
      } else {
        yield* sql`UPDATE ops.utm_checks SET verified_at = ${now.toISOString()}::timestamptz, outcome = 'missing' WHERE id = ${check.id}::bigint`
        out.push({
          ...base, state: "missing",
          message: `${check.utm_campaign}: checked ${check.checked_on}, and GA4 (loaded through ${through}) has no session with this campaign: ` +
            `the UTM parameters are lost after the page loads (a client-side redirect, a consent banner that blocks the tag, a router that rewrites the URL) — or the link was never opened`
        })
      }
    }
    return out
  })
