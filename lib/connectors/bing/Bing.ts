/**
 * Bing Webmaster Tools: per query and per page, per weekly bucket. The
 * Get*Stats methods take no date range and answer with the site's recent
 * history, so each run fetches it whole (two calls per site) and replaces the
 * weeks it covers — week by week, each with its raw payload, fetch log and
 * cursor in one transaction. The key travels in the URL (`apikey`), the way
 * the API wants it; it is never stored and is masked in any error text.
 */
import { HttpClientRequest } from "@effect/platform"
import { Config, ConfigError, Effect, Either, Option, Redacted } from "effect"
import { call } from "../../http/Request.ts"
import { retryPolicyConfig } from "../../http/Retry.ts"
import type { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { looksPersonal } from "../../sync/Guard.ts"
import { consumeQuota, storeRaw } from "../../sync/Ledger.ts"
import { markLoaded, report as reportProgress, type SyncOptions, type SyncOutcome } from "../../sync/Run.ts"
import { classifyFault, StatsResponse } from "./Api.ts"
import { pageWeekly, queryWeekly } from "./tables.ts"

export const source = "bing"

export interface BingSite {
  readonly property: string
  readonly siteUrl: string
}

const parseSites = (raw: string) => {
  const sites = raw.split(",").map((s) => s.trim()).filter((s) => s !== "").map((entry) => {
    const at = entry.indexOf("=")
    return at < 0 ? null : { property: entry.slice(0, at).trim(), siteUrl: entry.slice(at + 1).trim() }
  })
  return sites.length > 0 && sites.every((s) => s !== null && s.property !== "" && /^https?:\/\//.test(s.siteUrl))
    ? Either.right(sites as Array<BingSite>)
    : Either.left(ConfigError.InvalidData(["SOLOHUB_BING_SITES"], "SOLOHUB_BING_SITES: expected property=siteUrl, comma-separated (e.g. blog=https://blog.example.com/)"))
}

export const configured = Effect.map(Config.option(Config.string("SOLOHUB_BING_SITES")), Option.isSome)

export const settingsConfig = Config.all({
  sites: Config.string("SOLOHUB_BING_SITES").pipe(Config.mapOrFail(parseSites)),
  apiKey: Config.redacted("SOLOHUB_BING_API_KEY"),
  baseUrl: Config.string("SOLOHUB_BING_BASE_URL").pipe(Config.withDefault("https://ssl.bing.com/webmaster/api.svc/json")),
  // Bing documents no quota, only throttling faults: a persisted cap keeps a loop from hammering it.
  dailyBudget: Config.integer("SOLOHUB_BING_DAILY_BUDGET").pipe(Config.withDefault(200)),
  policy: retryPolicyConfig
})

const streams = {
  query: { method: "GetQueryStats", table: queryWeekly, column: "query" },
  page: { method: "GetPageStats", table: pageWeekly, column: "page" }
} as const
type Stream = keyof typeof streams

export const sync = (options: SyncOptions) =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    const ledger = options.ledger
    const warnings: Array<string> = []
    const failures: Array<SourceError> = []
    let rows = 0
    const weeksSeen = new Set<string>()
    for (const site of settings.sites.filter((s) => options.sites === undefined || options.sites.includes(s.property))) {
      for (const stream of Object.keys(streams) as Array<Stream>) {
        const spec = streams[stream]
        const request = { method: spec.method, siteUrl: site.siteUrl }
        const fetched = yield* call({
          source,
          stream,
          request: HttpClientRequest.get(`${settings.baseUrl}/${spec.method}`).pipe(
            HttpClientRequest.setUrlParams({ siteUrl: site.siteUrl, apikey: Redacted.value(settings.apiKey) }),
            HttpClientRequest.acceptJson
          ),
          schema: StatsResponse,
          policy: settings.policy,
          classify: classifyFault,
          beforeAttempt: Effect.flatMap(consumeQuota(ledger, { source, scope: site.siteUrl, limit: settings.dailyBudget }), (used) =>
            reportProgress(options, { _tag: "Quota", scope: site.property, used, limit: settings.dailyBudget }))
        }).pipe(Effect.either)
        if (Either.isLeft(fetched)) {
          const problem = fetched.left
          if ("_tag" in problem && problem._tag === "SqlError") return yield* problem
          if ("raw" in problem) {
            yield* storeRaw(ledger, { source, stream, scope: site.siteUrl, request, body: problem.raw, status: "drift", error: problem.error.message })
            failures.push(problem.error)
          } else failures.push(problem)
          continue
        }
        const { value, raw } = fetched.right
        // Weeks in range: the API has no date parameters, so since/until (and backfills) filter what it returned.
        const inRange = value.d.filter((r) => (options.since === undefined || r.Date >= options.since) && (options.until === undefined || r.Date <= options.until))
        const byWeek = new Map<string, Array<(typeof inRange)[number]>>()
        for (const r of inRange) byWeek.set(r.Date, [...(byWeek.get(r.Date) ?? []), r])
        const weeks = [...byWeek.keys()].sort()
        yield* reportProgress(options, { _tag: "Planned", stream, scope: site.property, slices: weeks.length })
        yield* storeRaw(ledger, { source, stream, scope: site.siteUrl, request, body: raw, status: "loaded" })
        for (const week of weeks) {
          const all = byWeek.get(week)!
          const kept = stream === "query" ? all.filter((r) => !looksPersonal(r.Query)) : all
          const fetchedAt = new Date().toISOString()
          yield* ledger.withTransaction(Effect.gen(function*() {
            yield* ledger.unsafe(`DELETE FROM ${spec.table.qualified} WHERE site_url = $1 AND week = $2::date`, [site.siteUrl, week])
            yield* upsertRows(ledger, spec.table.qualified, spec.table.key, [
              { name: "property", values: kept.map(() => site.property) },
              { name: "site_url", values: kept.map(() => site.siteUrl) },
              { name: "week", values: kept.map(() => week) },
              { name: spec.column, values: kept.map((r) => r.Query) },
              { name: "clicks", values: kept.map((r) => r.Clicks) },
              { name: "impressions", values: kept.map((r) => r.Impressions) },
              { name: "avg_click_position", values: kept.map((r) => r.AvgClickPosition) },
              { name: "avg_impression_position", values: kept.map((r) => r.AvgImpressionPosition) },
              { name: "fetched_at", values: kept.map(() => fetchedAt) }
            ])
            yield* ledger`
              INSERT INTO search.bing_fetch_log (site_url, stream, week, rows, dropped_rows, fetched_at)
              VALUES (${site.siteUrl}, ${stream}, ${week}::date, ${kept.length}, ${all.length - kept.length}, ${fetchedAt}::timestamptz)
              ON CONFLICT (site_url, stream, week) DO UPDATE SET rows = EXCLUDED.rows, dropped_rows = EXCLUDED.dropped_rows, fetched_at = EXCLUDED.fetched_at`
            yield* markLoaded(ledger, source, options, stream, site.siteUrl, week)
          }))
          rows += kept.length
          weeksSeen.add(week)
          yield* reportProgress(options, { _tag: "Slice", stream, scope: site.property, label: week, rows: kept.length, pages: 1 })
          if (all.length > kept.length) warnings.push(`${site.property} ${week} ${stream}: dropped ${all.length - kept.length} query rows that looked like an email or phone number`)
        }
        if (value.d.length === 0) warnings.push(`${site.property} ${stream}: Bing returned no data (a new or unverified site, or no traffic)`)
      }
    }
    return { rows, days: weeksSeen.size * 7, warnings, failures } satisfies SyncOutcome
  })
