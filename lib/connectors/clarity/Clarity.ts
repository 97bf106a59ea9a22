/**
 * Microsoft Clarity: behaviour and friction per URL, from the Data Export API.
 * The API answers only for "the last 24, 48 or 72 hours" before the call, at
 * most 10 calls per project per day, no paging. So (docs/sources/clarity.md §6):
 * one call a night with numOfDays=1 and dimension1=URL, labelled as yesterday
 * (cron runs it just after midnight UTC); a missed night is caught up with
 * numOfDays=2 or 3 in one row that says how many days it covers; every
 * attempt, retries included, is spent from the persisted budget first.
 */
import { HttpClientRequest } from "@effect/platform"
import { Config, ConfigError, Effect, Either, Option, type Redacted } from "effect"
import { apiToken, call } from "../../http/Request.ts"
import { retryPolicyConfig } from "../../http/Retry.ts"
import type { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { addDays, dayOf } from "../../sync/Days.ts"
import { redactPersonal } from "../../sync/Guard.ts"
import { consumeQuota, readCursor, storeRaw } from "../../sync/Ledger.ts"
import { dayCount, markLoaded, report as reportProgress, type SyncOptions, type SyncOutcome } from "../../sync/Run.ts"
import { dailyCallLimit, type InformationRow, LiveInsights, loadedMetrics, rowCap } from "./Api.ts"
import { pageDaily } from "./tables.ts"

export const source = "clarity"
const stream = "url"

export interface ClarityProject {
  readonly project: string
  readonly token: Redacted.Redacted<string>
}

/** SOLOHUB_CLARITY_TOKEN_BLOG for project "blog": each Clarity project has its own token. */
export const tokenVariable = (project: string) => `SOLOHUB_CLARITY_TOKEN_${project.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`

const projectsConfig = Config.string("SOLOHUB_CLARITY_PROJECTS").pipe(
  Config.mapOrFail((raw) => {
    const names = raw.split(",").map((s) => s.trim()).filter((s) => s !== "")
    return names.length > 0 && names.every((n) => /^[a-z][a-z0-9_-]*$/.test(n))
      ? Either.right(names)
      : Either.left(ConfigError.InvalidData(["SOLOHUB_CLARITY_PROJECTS"], "SOLOHUB_CLARITY_PROJECTS: expected project names, comma-separated (e.g. blog,shop)"))
  })
)

export const configured = Effect.map(Config.option(Config.string("SOLOHUB_CLARITY_PROJECTS")), Option.isSome)

/** Each project's token is a variable named after it, so the projects are read first. */
const projectsWithTokens = Effect.flatMap(projectsConfig, (names) =>
  Effect.forEach(names, (project) => Effect.map(Config.redacted(tokenVariable(project)), (token): ClarityProject => ({ project, token }))))

export const settingsConfig = Effect.all({
  projects: projectsWithTokens,
  baseUrl: Config.string("SOLOHUB_CLARITY_BASE_URL").pipe(Config.withDefault("https://www.clarity.ms/export-data/api/v1")),
  dailyBudget: Config.integer("SOLOHUB_CLARITY_DAILY_BUDGET").pipe(
    Config.withDefault(dailyCallLimit),
    Config.validate({ message: `SOLOHUB_CLARITY_DAILY_BUDGET must be 1–${dailyCallLimit} (Clarity allows ${dailyCallLimit} calls per project per day)`, validation: (n) => n >= 1 && n <= dailyCallLimit })
  ),
  policy: retryPolicyConfig
})

type Row = { -readonly [K in (typeof pageDaily.columns)[number]["column"]]?: unknown }

const numberOf = (value: unknown) => (value === null || value === undefined ? null : Number(value))

/** Which measures of which metric go to which column. */
const columnsOf: Record<(typeof loadedMetrics)[number], ReadonlyArray<readonly [keyof InformationRow, string]>> = {
  Traffic: [["totalSessionCount", "sessions"], ["totalBotSessionCount", "bot_sessions"], ["distantUserCount", "distinct_users"], ["PagesPerSessionPercentage", "pages_per_session"]],
  ScrollDepth: [["averageScrollDepth", "scroll_depth_avg"]],
  EngagementTime: [["totalTime", "engagement_total_s"], ["activeTime", "engagement_active_s"]],
  DeadClickCount: [["subTotal", "dead_clicks"], ["sessionsWithMetricPercentage", "dead_click_sessions_pct"]],
  RageClickCount: [["subTotal", "rage_clicks"], ["sessionsWithMetricPercentage", "rage_click_sessions_pct"]],
  QuickbackClick: [["subTotal", "quickbacks"], ["sessionsWithMetricPercentage", "quickback_sessions_pct"]],
  ExcessiveScroll: [["subTotal", "excessive_scrolls"]],
  ScriptErrorCount: [["subTotal", "script_errors"]],
  ErrorClickCount: [["subTotal", "error_clicks"]]
}

const measureColumns = [...new Set(Object.values(columnsOf).flatMap((pairs) => pairs.map(([, column]) => column)))]

/** Pivots the metric groups into one row per URL. */
export const pivot = (insights: LiveInsights) => {
  const byUrl = new Map<string, Row>()
  let redacted = 0
  for (const group of insights) {
    const columns = columnsOf[group.metricName as (typeof loadedMetrics)[number]]
    if (columns === undefined) continue
    for (const row of group.information) {
      const raw = row.Url ?? row.URL
      if (raw === undefined) continue
      const guarded = redactPersonal(raw)
      if (guarded.redacted) redacted++
      const target = byUrl.get(guarded.text) ?? {}
      for (const [field, column] of columns) target[column as keyof Row] = numberOf(row[field])
      byUrl.set(guarded.text, target)
    }
  }
  return { byUrl, redacted }
}

export const sync = (options: SyncOptions) =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    const now = new Date()
    const today = options.today ?? dayOf(now)
    const yesterday = addDays(today, -1)
    const warnings: Array<string> = []
    const failures: Array<SourceError> = []
    let rows = 0
    let days = 0
    for (const project of settings.projects.filter((p) => options.sites === undefined || options.sites.includes(p.project))) {
      const cursor = yield* readCursor(options.ledger, source, stream, project.project)
      // How many days the window must cover: a backfill asks for its range; a night catches up what it missed.
      const wanted = options.backfill === true
        ? dayCount(options.since ?? yesterday, yesterday)
        : cursor === undefined ? 1 : dayCount(addDays(cursor, 1), yesterday)
      yield* reportProgress(options, { _tag: "Planned", stream, scope: project.project, slices: wanted > 0 ? 1 : 0 })
      if (wanted <= 0) continue
      if (wanted > 3) warnings.push(`${project.project}: Clarity keeps only the last 72 hours; ${addDays(yesterday, -wanted + 1)}..${addDays(yesterday, -3)} cannot be loaded any more`)
      const numOfDays = Math.min(3, wanted)
      const request = { numOfDays, dimension1: "URL" }
      const fetched = yield* call({
        source,
        stream,
        request: HttpClientRequest.get(`${settings.baseUrl}/project-live-insights`).pipe(
          HttpClientRequest.setUrlParams({ numOfDays: String(numOfDays), dimension1: "URL" }),
          HttpClientRequest.acceptJson
        ),
        schema: LiveInsights,
        auth: apiToken(project.token),
        policy: settings.policy,
        // Clarity's 429 means the day's 10 calls are gone: retrying today is futile.
        classify: (status) => (status === 429 ? "quota" : "default"),
        beforeAttempt: Effect.flatMap(consumeQuota(options.ledger, { source, scope: project.project, limit: settings.dailyBudget }), (used) =>
          reportProgress(options, { _tag: "Quota", scope: project.project, used, limit: settings.dailyBudget }))
      }).pipe(Effect.either)
      if (Either.isLeft(fetched)) {
        const problem = fetched.left
        if ("_tag" in problem && problem._tag === "SqlError") return yield* problem
        if ("raw" in problem) {
          yield* storeRaw(options.ledger, { source, stream, scope: project.project, request, body: problem.raw, status: "drift", error: problem.error.message })
          failures.push(problem.error)
        } else failures.push(problem)
        continue
      }
      const { value, raw } = fetched.right
      const { byUrl, redacted } = pivot(value)
      const fetchedAt = new Date()
      const present = value.map((g) => g.metricName)
      const capped = value.filter((g) => g.information.length >= rowCap).map((g) => g.metricName)
      yield* options.ledger.withTransaction(Effect.gen(function*() {
        yield* storeRaw(options.ledger, { source, stream, scope: project.project, request, body: raw, status: "loaded" })
        yield* options.ledger`DELETE FROM behaviour.clarity_page_daily WHERE project = ${project.project} AND date = ${yesterday}::date`
        const urls = [...byUrl.keys()]
        yield* upsertRows(options.ledger, pageDaily.qualified, pageDaily.key, [
          { name: "project", values: urls.map(() => project.project) },
          { name: "date", values: urls.map(() => yesterday) },
          { name: "url", values: urls },
          { name: "window_days", values: urls.map(() => numOfDays) },
          ...measureColumns.map((column) => ({ name: column, values: urls.map((u) => byUrl.get(u)![column as keyof Row] ?? null) })),
          { name: "fetched_at", values: urls.map(() => fetchedAt.toISOString()) }
        ])
        yield* options.ledger`
          INSERT INTO behaviour.clarity_fetch_log (project, date, window_days, window_end, urls, metrics, capped_metrics, fetched_at)
          VALUES (${project.project}, ${yesterday}::date, ${numOfDays}, ${fetchedAt}, ${urls.length}, ${present}, ${capped}, ${fetchedAt})
          ON CONFLICT (project, date) DO UPDATE SET window_days = EXCLUDED.window_days, window_end = EXCLUDED.window_end, urls = EXCLUDED.urls,
            metrics = EXCLUDED.metrics, capped_metrics = EXCLUDED.capped_metrics, fetched_at = EXCLUDED.fetched_at`
        yield* markLoaded(options.ledger, source, options, stream, project.project, yesterday)
      }))
      rows += byUrl.size
      days += numOfDays
      yield* reportProgress(options, { _tag: "Slice", stream, scope: project.project, label: yesterday, rows: byUrl.size, pages: 1 })
      const where = `${project.project} ${yesterday}`
      for (const metric of capped) warnings.push(`${where}: ${metric} returned ${rowCap} rows, Clarity's cap: the least visited URLs are missing`)
      const missing = loadedMetrics.filter((m) => !present.includes(m))
      if (missing.length > 0) warnings.push(`${where}: Clarity sent no ${missing.join(", ")}: those columns are empty`)
      if (numOfDays > 1) warnings.push(`${where}: caught up ${numOfDays} days in one window (${addDays(yesterday, -numOfDays + 1)}..${yesterday}); per-day figures are not available for them`)
      if (options.today === undefined && now.getUTCHours() >= 3) {
        warnings.push(`${where}: the window is the ${24 * numOfDays} h before ${now.toISOString().slice(11, 16)} UTC, not the calendar day; run Clarity just after midnight UTC`)
      }
      if (redacted > 0) warnings.push(`${where}: ${redacted} URLs looked like they held an email or phone number and were redacted`)
    }
    return { rows, days, warnings, failures } satisfies SyncOutcome
  })
