/**
 * Google Search Console: per site and day, the four reports (site totals,
 * page, query, page × query), paged 25,000 rows at a time, each day-and-report
 * slice replaced in one transaction together with its raw payloads, its fetch
 * log and its cursor — so a crash at any point and a rerun give exactly the
 * data of an uninterrupted run. Only final days are loaded, and the last few
 * are re-fetched each night because Google corrects them.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { SqlError } from "@effect/sql/SqlError"
import { Config, ConfigError, Effect, Either, Option } from "effect"
import { type GoogleCredentials, googleAuth, googleCredentialsConfig } from "../../http/GoogleAuth.ts"
import { type Auth, call, type Drifted } from "../../http/Request.ts"
import { retryPolicyConfig, type RetryPolicy } from "../../http/Retry.ts"
import { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { addDays, dayOf } from "../../sync/Days.ts"
import { looksPersonal } from "../../sync/Guard.ts"
import { consumeQuota, storeRaw } from "../../sync/Ledger.ts"
import { dayCount, firstDay, markLoaded, report as reportProgress, type SyncOptions, type SyncOutcome } from "../../sync/Run.ts"
import { dailyRowCap, isQuotaError, QueryResponse, type Report, reports, reportTable } from "./Api.ts"
import { reportTables } from "./tables.ts"

export const source = "search-console"

export interface Site {
  readonly property: string
  readonly siteUrl: string
}

export interface SearchConsoleSettings {
  readonly sites: ReadonlyArray<Site>
  readonly credentials: GoogleCredentials
  readonly baseUrl: string
  readonly tokenUrl: string
  readonly rowLimit: number
  readonly dailyBudget: number
  readonly refetchDays: number
  readonly initialDays: number
  readonly policy: RetryPolicy
}

const parseSites = (raw: string) => {
  const sites = raw.split(",").map((s) => s.trim()).filter((s) => s !== "").map((entry) => {
    const at = entry.indexOf("=")
    return at < 0 ? null : { property: entry.slice(0, at).trim(), siteUrl: entry.slice(at + 1).trim() }
  })
  return sites.every((s) => s !== null && s.property !== "" && s.siteUrl !== "")
    ? Either.right(sites as Array<Site>)
    : Either.left(ConfigError.InvalidData(["SOLOHUB_GSC_SITES"], "SOLOHUB_GSC_SITES: expected property=siteUrl, comma-separated (e.g. blog=sc-domain:example.com)"))
}

/** Whether the source is configured at all (sync all skips it when not). */
export const configured = Effect.map(Config.option(Config.string("SOLOHUB_GSC_SITES")), Option.isSome)

export const settingsConfig: Config.Config<SearchConsoleSettings> = Config.all({
  sites: Config.string("SOLOHUB_GSC_SITES").pipe(Config.mapOrFail(parseSites)),
  credentials: googleCredentialsConfig("GSC"),
  baseUrl: Config.string("SOLOHUB_GSC_BASE_URL").pipe(Config.withDefault("https://www.googleapis.com/webmasters/v3")),
  tokenUrl: Config.string("SOLOHUB_GSC_TOKEN_URL").pipe(Config.withDefault("https://oauth2.googleapis.com/token")),
  rowLimit: Config.integer("SOLOHUB_GSC_ROW_LIMIT").pipe(Config.withDefault(25_000), Config.validate({ message: "SOLOHUB_GSC_ROW_LIMIT must be 1–25000", validation: (n) => n >= 1 && n <= 25_000 })),
  dailyBudget: Config.integer("SOLOHUB_GSC_DAILY_BUDGET").pipe(Config.withDefault(2000)),
  refetchDays: Config.integer("SOLOHUB_GSC_REFETCH_DAYS").pipe(Config.withDefault(4)),
  initialDays: Config.integer("SOLOHUB_GSC_INITIAL_DAYS").pipe(Config.withDefault(30)),
  policy: retryPolicyConfig
})


interface Client {
  readonly query: (site: Site, stream: string, body: Record<string, unknown>) => Effect.Effect<{ value: QueryResponse; raw: string }, SourceError | Drifted | SqlError, HttpClient.HttpClient>
}

const makeClient = (settings: SearchConsoleSettings, auth: Auth, options: SyncOptions): Client => ({
  query: (site, stream, body) =>
    Effect.zipRight(
      Effect.tap(consumeQuota(options.ledger, { source, scope: site.siteUrl, limit: settings.dailyBudget }), (used) =>
        reportProgress(options, { _tag: "Quota", scope: site.property, used, limit: settings.dailyBudget })),
      call({
        source,
        stream,
        request: HttpClientRequest.post(`${settings.baseUrl}/sites/${encodeURIComponent(site.siteUrl)}/searchAnalytics/query`).pipe(
          HttpClientRequest.bodyUnsafeJson(body)
        ),
        schema: QueryResponse,
        auth,
        policy: settings.policy,
        classify: (status, text) => (isQuotaError(status, text) ? "retry" : "default")
      })
    )
})

/** The newest final day: the day before first_incomplete_date, from a dataState=all probe. */
const lastFinalDay = (client: Client, site: Site, today: string) =>
  Effect.map(
    client.query(site, "probe", { startDate: addDays(today, -10), endDate: today, dimensions: ["date"], dataState: "all", rowLimit: 25 }),
    ({ value }) => {
      const incomplete = value.metadata?.first_incomplete_date ?? value.metadata?.firstIncompleteDate
      if (incomplete !== undefined) return addDays(incomplete, -1)
      const dates = (value.rows ?? []).map((r) => r.keys?.[0] ?? "").filter((d) => d !== "").sort()
      return dates[dates.length - 1] ?? addDays(today, -3)
    }
  )

/** Fetches one day of one report, every page. */
const fetchSlice = (client: Client, settings: SearchConsoleSettings, site: Site, date: string, report: Report) =>
  Effect.gen(function*() {
    const dimensions = ["date", ...reports[report]]
    const pages: Array<{ request: Record<string, unknown>; raw: string; value: QueryResponse }> = []
    for (let startRow = 0; ; startRow += settings.rowLimit) {
      const body = { startDate: date, endDate: date, dimensions, aggregationType: "auto", dataState: "final", rowLimit: settings.rowLimit, startRow }
      const { value, raw } = yield* client.query(site, report, body)
      pages.push({ request: body, raw, value })
      const n = value.rows?.length ?? 0
      if (n < settings.rowLimit || startRow + n >= dailyRowCap) break
    }
    return pages
  })

/** Replaces one day-and-report slice, its raw payloads, fetch log and cursor, in one transaction. */
const loadSlice = (options: SyncOptions, site: Site, date: string, report: Report, pages: ReadonlyArray<{ request: Record<string, unknown>; raw: string; value: QueryResponse }>) =>
  options.ledger.withTransaction(Effect.gen(function*() {
    const ledger = options.ledger
    const fetchedAt = new Date()
    const dims = reports[report] as ReadonlyArray<string>
    const rows = pages.flatMap((p) => (p.value.rows ?? []).map((r) => ({ r, aggregation: p.value.responseAggregationType ?? "auto" })))
    const kept = rows.filter(({ r }) => !dims.includes("query") || !looksPersonal(r.keys?.[dims.indexOf("query") + 1] ?? ""))
    for (const page of pages) yield* storeRaw(ledger, { source, stream: report, scope: site.siteUrl, request: page.request, body: page.raw, status: "loaded" })
    yield* ledger.unsafe(`DELETE FROM ${reportTable[report]} WHERE site_url = $1 AND search_type = 'web' AND date = $2`, [site.siteUrl, date])
    if (kept.length > 0) {
      const col = (f: (x: (typeof kept)[number]) => unknown) => kept.map(f)
      yield* upsertRows(ledger, reportTable[report], reportTables[report].key, [
        { name: "property", values: col(() => site.property) },
        { name: "site_url", values: col(() => site.siteUrl) },
        { name: "search_type", values: col(() => "web") },
        { name: "date", values: col(() => date) },
        ...dims.map((d, i) => ({ name: d, values: col(({ r }) => r.keys?.[i + 1] ?? "") })),
        { name: "clicks", values: col(({ r }) => Math.round(r.clicks)) },
        { name: "impressions", values: col(({ r }) => Math.round(r.impressions)) },
        { name: "ctr", values: col(({ r }) => r.ctr) },
        { name: "position", values: col(({ r }) => r.position ?? null) },
        { name: "aggregation_type", values: col(({ aggregation }) => aggregation) },
        { name: "fetched_at", values: col(() => fetchedAt.toISOString()) }
        // Ties in Google's click order are unstable across pages: a row seen twice is kept once (the upsert dedupes).
      ])
    }
    yield* ledger`
      INSERT INTO search.gsc_fetch_log (site_url, search_type, date, report, rows_returned, pages, capped, dropped_rows, fetched_at)
      VALUES (${site.siteUrl}, 'web', ${date}::date, ${report}, ${rows.length}, ${pages.length}, ${rows.length >= dailyRowCap}, ${rows.length - kept.length}, ${fetchedAt})
      ON CONFLICT (site_url, search_type, date, report) DO UPDATE SET rows_returned = EXCLUDED.rows_returned, pages = EXCLUDED.pages,
        capped = EXCLUDED.capped, dropped_rows = EXCLUDED.dropped_rows, fetched_at = EXCLUDED.fetched_at`
    yield* markLoaded(ledger, source, options, report, site.siteUrl, date)
    return { stored: kept.length, returned: rows.length, dropped: rows.length - kept.length }
  }))

/**
 * Syncs every configured site: from the cursor (minus the re-fetch window), or
 * `since`, up to the last final day (or `until`). A stream that fails (drift,
 * exhausted retries) is recorded and the others go on.
 */
export const sync = (options: SyncOptions) =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    const auth = yield* googleAuth({ source, credentials: settings.credentials, scopes: ["https://www.googleapis.com/auth/webmasters.readonly"], tokenUrl: settings.tokenUrl })
    const client = makeClient(settings, auth, options)
    const today = options.today ?? dayOf(new Date())
    const warnings: Array<string> = []
    const failures: Array<SourceError> = []
    let rows = 0
    let days = 0
    const sites = settings.sites.filter((s) => options.sites === undefined || options.sites.includes(s.property))
    for (const site of sites) {
      const lastFinal = yield* lastFinalDay(client, site, today).pipe(Effect.either)
      if (Either.isLeft(lastFinal)) {
        const problem = lastFinal.left
        if ("_tag" in problem && problem._tag === "SqlError") return yield* problem
        if ("raw" in problem) {
          yield* storeRaw(options.ledger, { source, stream: "probe", scope: site.siteUrl, request: { today }, body: problem.raw, status: "drift", error: problem.error.message })
          failures.push(problem.error)
        } else failures.push(problem)
        continue
      }
      const until = options.until !== undefined && options.until < lastFinal.right ? options.until : lastFinal.right
      for (const report of Object.keys(reports) as Array<Report>) {
        const from = yield* firstDay(source, options, report, site.siteUrl, { until, refetchDays: settings.refetchDays, initialDays: settings.initialDays })
        yield* reportProgress(options, { _tag: "Planned", stream: report, scope: site.property, slices: dayCount(from, until) })
        for (let date = from; date <= until; date = addDays(date, 1)) {
          const fetched = yield* fetchSlice(client, settings, site, date, report).pipe(Effect.either)
          if (Either.isLeft(fetched)) {
            const problem = fetched.left
            if ("_tag" in problem && problem._tag === "SqlError") return yield* problem
            if ("raw" in problem) {
              // Keep what came, for replay; this stream stops, the others go on.
              yield* storeRaw(options.ledger, { source, stream: report, scope: site.siteUrl, request: { date }, body: problem.raw, status: "drift", error: problem.error.message })
              failures.push(problem.error)
            } else failures.push(problem)
            break
          }
          const loaded = yield* loadSlice(options, site, date, report, fetched.right)
          yield* reportProgress(options, { _tag: "Slice", stream: report, scope: site.property, label: date, rows: loaded.stored, pages: fetched.right.length })
          rows += loaded.stored
          if (report === "site") days++
          if (loaded.returned >= dailyRowCap) warnings.push(`${site.property} ${date} ${report}: ${loaded.returned} rows reached Google's 50,000-row daily cap; the day is incomplete`)
          if (loaded.dropped > 0) warnings.push(`${site.property} ${date} ${report}: dropped ${loaded.dropped} query rows that looked like an email or phone number`)
        }
      }
      if (lastFinal.right < addDays(today, -4)) warnings.push(`${site.property}: the newest final day is ${lastFinal.right}, older than usual (Search Console lags 2–3 days)`)
    }
    return { rows, days, warnings, failures } satisfies SyncOutcome
  })
