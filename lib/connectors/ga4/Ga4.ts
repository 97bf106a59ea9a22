/**
 * Google Analytics 4: per property and day, pages and traffic sources from
 * runReport, paged by offset until `rowCount`, each day-and-report slice
 * replaced in one transaction with its raw payloads, fetch log and cursor. The
 * last few days are re-fetched (GA4 keeps changing them for 24–48 hours).
 * Sampling, thresholding and the "(other)" row are recorded and warned about;
 * the token budget GA4 reports is kept in the fetch log.
 */
import { HttpClientRequest } from "@effect/platform"
import type { SqlError } from "@effect/sql/SqlError"
import { Config, ConfigError, Effect, Either, Option } from "effect"
import { googleAuth, googleCredentialsConfig } from "../../http/GoogleAuth.ts"
import { type Auth, call, type Drifted } from "../../http/Request.ts"
import { retryPolicyConfig } from "../../http/Retry.ts"
import type { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { addDays, dayOf } from "../../sync/Days.ts"
import { redactPersonal } from "../../sync/Guard.ts"
import { consumeQuota, storeRaw } from "../../sync/Ledger.ts"
import { dayCount, firstDay, markLoaded, report as reportProgress, type SyncOptions, type SyncOutcome } from "../../sync/Run.ts"
import { type Report, reports, RunReportResponse } from "./Api.ts"
import { reportTables } from "./tables.ts"

export const source = "ga4"

export interface Ga4Property {
  readonly property: string
  readonly id: string
}

const parseProperties = (raw: string) => {
  const entries = raw.split(",").map((s) => s.trim()).filter((s) => s !== "").map((e) => e.split("=").map((p) => p.trim()))
  return entries.every((e) => e.length === 2 && e[0] !== "" && /^\d+$/.test(e[1] ?? ""))
    ? Either.right(entries.map(([property, id]) => ({ property: property!, id: id! })))
    : Either.left(ConfigError.InvalidData(["SOLOHUB_GA4_PROPERTIES"], "SOLOHUB_GA4_PROPERTIES: expected name=numericPropertyId, comma-separated (the numeric id, not the G-… measurement id)"))
}

export const configured = Effect.map(Config.option(Config.string("SOLOHUB_GA4_PROPERTIES")), Option.isSome)

export const settingsConfig = Config.all({
  properties: Config.string("SOLOHUB_GA4_PROPERTIES").pipe(Config.mapOrFail(parseProperties)),
  credentials: googleCredentialsConfig("GA4"),
  baseUrl: Config.string("SOLOHUB_GA4_BASE_URL").pipe(Config.withDefault("https://analyticsdata.googleapis.com/v1beta")),
  tokenUrl: Config.string("SOLOHUB_GA4_TOKEN_URL").pipe(Config.withDefault("https://oauth2.googleapis.com/token")),
  pageSize: Config.integer("SOLOHUB_GA4_PAGE_SIZE").pipe(Config.withDefault(100_000), Config.validate({ message: "SOLOHUB_GA4_PAGE_SIZE must be 1–250000", validation: (n) => n >= 1 && n <= 250_000 })),
  dailyBudget: Config.integer("SOLOHUB_GA4_DAILY_BUDGET").pipe(Config.withDefault(1000)),
  refetchDays: Config.integer("SOLOHUB_GA4_REFETCH_DAYS").pipe(Config.withDefault(3)),
  initialDays: Config.integer("SOLOHUB_GA4_INITIAL_DAYS").pipe(Config.withDefault(30)),
  policy: retryPolicyConfig
})
type Settings = Config.Config.Success<typeof settingsConfig>

type Page = { request: Record<string, unknown>; raw: string; value: RunReportResponse }

const fetchSlice = (settings: Settings, auth: Auth, options: SyncOptions, property: Ga4Property, date: string, report: Report) =>
  Effect.gen(function*() {
    const spec = reports[report]
    const pages: Array<Page> = []
    for (let offset = 0; ; offset += settings.pageSize) {
      const body = {
        dateRanges: [{ startDate: date, endDate: date }],
        dimensions: [{ name: "date" }, ...spec.dimensions.map(([name]) => ({ name }))],
        metrics: spec.metrics.map(([name]) => ({ name })),
        // A stable order, so offset paging neither skips nor repeats rows.
        orderBys: spec.dimensions.map(([name]) => ({ dimension: { dimensionName: name } })),
        limit: settings.pageSize,
        offset,
        returnPropertyQuota: true
      }
      const used = yield* consumeQuota(options.ledger, { source, scope: property.id, limit: settings.dailyBudget })
      yield* reportProgress(options, { _tag: "Quota", scope: property.property, used, limit: settings.dailyBudget })
      const { value, raw } = yield* call({
        source,
        stream: report,
        request: HttpClientRequest.post(`${settings.baseUrl}/properties/${property.id}:runReport`).pipe(HttpClientRequest.bodyUnsafeJson(body)),
        schema: RunReportResponse,
        auth,
        policy: settings.policy
      })
      pages.push({ request: body, raw, value })
      const rowCount = value.rowCount ?? 0
      if ((value.rows?.length ?? 0) === 0 || offset + settings.pageSize >= rowCount) break
    }
    return pages
  })

const loadSlice = (options: SyncOptions, property: Ga4Property, date: string, report: Report, pages: ReadonlyArray<Page>) =>
  options.ledger.withTransaction(Effect.gen(function*() {
    const ledger = options.ledger
    const spec = reports[report]
    const fetchedAt = new Date()
    const rows = pages.flatMap((p) => p.value.rows ?? [])
    let redacted = 0
    const dimension = (i: number) =>
      rows.map((r) => {
        const guarded = redactPersonal(r.dimensionValues[i + 1]?.value ?? "(not set)")
        if (guarded.redacted) redacted++
        return guarded.text
      })
    for (const page of pages) yield* storeRaw(ledger, { source, stream: report, scope: property.id, request: page.request, body: page.raw, status: "loaded" })
    yield* ledger.unsafe(`DELETE FROM ${spec.table} WHERE ga4_property_id = $1 AND date = $2`, [property.id, date])
    yield* upsertRows(ledger, spec.table, reportTables[report].key, [
      { name: "property", values: rows.map(() => property.property) },
      { name: "ga4_property_id", values: rows.map(() => property.id) },
      { name: "date", values: rows.map(() => date) },
      ...spec.dimensions.map(([, column], i) => ({ name: column, values: dimension(i) })),
      ...spec.metrics.map(([, column], i) => ({ name: column, values: rows.map((r) => r.metricValues[i]?.value ?? "0") })),
      { name: "fetched_at", values: rows.map(() => fetchedAt.toISOString()) }
    ])
    const meta = pages[0]?.value.metadata
    const last = pages[pages.length - 1]?.value.propertyQuota?.tokensPerDay
    const flags = {
      sampled: pages.some((p) => (p.value.metadata?.samplingMetadatas?.length ?? 0) > 0),
      thresholded: pages.some((p) => p.value.metadata?.subjectToThresholding === true),
      otherLoss: pages.some((p) => p.value.metadata?.dataLossFromOtherRow === true),
      otherRow: rows.some((r) => r.dimensionValues.some((v) => v.value === "(other)"))
    }
    yield* ledger`
      INSERT INTO analytics.ga4_fetch_log (ga4_property_id, report, date, row_count, pages, sampled, subject_to_thresholding,
        data_loss_from_other_row, has_other_row, time_zone, tokens_consumed, tokens_remaining_today, fetched_at)
      VALUES (${property.id}, ${report}, ${date}::date, ${rows.length}, ${pages.length}, ${flags.sampled}, ${flags.thresholded},
        ${flags.otherLoss}, ${flags.otherRow}, ${meta?.timeZone ?? null}, ${last?.consumed ?? null}, ${last?.remaining ?? null}, ${fetchedAt})
      ON CONFLICT (ga4_property_id, report, date) DO UPDATE SET row_count = EXCLUDED.row_count, pages = EXCLUDED.pages,
        sampled = EXCLUDED.sampled, subject_to_thresholding = EXCLUDED.subject_to_thresholding,
        data_loss_from_other_row = EXCLUDED.data_loss_from_other_row, has_other_row = EXCLUDED.has_other_row,
        time_zone = EXCLUDED.time_zone, tokens_consumed = EXCLUDED.tokens_consumed,
        tokens_remaining_today = EXCLUDED.tokens_remaining_today, fetched_at = EXCLUDED.fetched_at`
    yield* markLoaded(ledger, source, options, report, property.id, date)
    return { rows: rows.length, redacted, flags, tokensRemaining: last?.remaining }
  }))

/** Syncs every configured property from its cursor (minus the re-fetch window) or `since`, up to yesterday or `until`. */
export const sync = (options: SyncOptions) =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    const auth = yield* googleAuth({ source, credentials: settings.credentials, scopes: ["https://www.googleapis.com/auth/analytics.readonly"], tokenUrl: settings.tokenUrl })
    const today = options.today ?? dayOf(new Date())
    const yesterday = addDays(today, -1)
    const until = options.until !== undefined && options.until < yesterday ? options.until : yesterday
    const warnings: Array<string> = []
    const failures: Array<SourceError> = []
    let rows = 0
    let days = 0
    for (const property of settings.properties.filter((p) => options.sites === undefined || options.sites.includes(p.property))) {
      for (const report of Object.keys(reports) as Array<Report>) {
        const from = yield* firstDay(source, options, report, property.id, { until, refetchDays: settings.refetchDays, initialDays: settings.initialDays })
        yield* reportProgress(options, { _tag: "Planned", stream: report, scope: property.property, slices: dayCount(from, until) })
        for (let date = from; date <= until; date = addDays(date, 1)) {
          const fetched = yield* fetchSlice(settings, auth, options, property, date, report).pipe(Effect.either)
          if (Either.isLeft(fetched)) {
            const problem: SourceError | Drifted | SqlError = fetched.left
            if ("_tag" in problem && problem._tag === "SqlError") return yield* problem
            if ("raw" in problem) {
              yield* storeRaw(options.ledger, { source, stream: report, scope: property.id, request: { date }, body: problem.raw, status: "drift", error: problem.error.message })
              failures.push(problem.error)
            } else failures.push(problem as SourceError)
            break
          }
          const loaded = yield* loadSlice(options, property, date, report, fetched.right)
          yield* reportProgress(options, { _tag: "Slice", stream: report, scope: property.property, label: date, rows: loaded.rows, pages: fetched.right.length })
          rows += loaded.rows
          if (report === "page") days++
          const where = `${property.property} ${date} ${report}`
          if (loaded.flags.sampled) warnings.push(`${where}: GA4 sampled this report; the numbers are estimates`)
          if (loaded.flags.thresholded) warnings.push(`${where}: GA4 applied thresholding; small counts are withheld`)
          if (loaded.flags.otherLoss || loaded.flags.otherRow) warnings.push(`${where}: rows were folded into "(other)"`)
          if (loaded.redacted > 0) warnings.push(`${where}: ${loaded.redacted} values looked like an email or phone number and were redacted`)
          if (loaded.tokensRemaining !== undefined && loaded.tokensRemaining < 1000) warnings.push(`${property.property}: only ${loaded.tokensRemaining} GA4 tokens left today`)
        }
      }
    }
    return { rows, days, warnings: [...new Set(warnings)], failures } satisfies SyncOutcome
  })
