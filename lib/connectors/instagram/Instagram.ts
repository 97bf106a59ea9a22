/**
 * Instagram (Graph API): the account's media with their counts, insights per
 * metric for recent media, and their comments. Two traps are handled here:
 * - a deprecated metric fails the whole insights request, so on a metric
 *   error each metric is asked alone and only the failing one is skipped
 *   (warned), never the stream;
 * - an app in development mode sees comment counts above zero but no comment
 *   content: that signature is reported as "the app is in development mode;
 *   comment content is hidden", and the comments already stored are kept
 *   instead of being replaced by nothing.
 * Throttling follows the Business Use Case header (estimated time to regain
 * access) and Graph's rate-limit error codes.
 */
import { HttpClientRequest } from "@effect/platform"
import { Config, Effect, Either, Option } from "effect"
import { apiToken, call, type Drifted } from "../../http/Request.ts"
import { retryPolicyConfig } from "../../http/Retry.ts"
import type { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { addDays, dayOf } from "../../sync/Days.ts"
import { consumeQuota, storeRaw, writeCursor } from "../../sync/Ledger.ts"
import { report as reportProgress, type SyncOptions, type SyncOutcome } from "../../sync/Run.ts"
import { bucUsage, bucWait, classifyGraphError, CommentsPage, graphErrorCode, InsightsResponse, type Media, mediaFields, MediaPage } from "./Api.ts"
import { comments as commentsTable, insights as insightsTable, media as mediaTable } from "./tables.ts"

export const source = "instagram"

export const configured = Effect.map(Config.option(Config.string("SOLOHUB_INSTAGRAM_USER_ID")), Option.isSome)

export const settingsConfig = Config.all({
  userId: Config.string("SOLOHUB_INSTAGRAM_USER_ID"),
  account: Config.string("SOLOHUB_INSTAGRAM_ACCOUNT").pipe(Config.withDefault("instagram")),
  accessToken: Config.redacted("SOLOHUB_INSTAGRAM_ACCESS_TOKEN"),
  baseUrl: Config.string("SOLOHUB_INSTAGRAM_BASE_URL").pipe(Config.withDefault("https://graph.facebook.com/v21.0")),
  metrics: Config.string("SOLOHUB_INSTAGRAM_METRICS").pipe(Config.withDefault("reach,saved,shares,total_interactions,views")),
  recentDays: Config.integer("SOLOHUB_INSTAGRAM_RECENT_DAYS").pipe(Config.withDefault(30)),
  pageSize: Config.integer("SOLOHUB_INSTAGRAM_PAGE_SIZE").pipe(Config.withDefault(50)),
  dailyBudget: Config.integer("SOLOHUB_INSTAGRAM_DAILY_BUDGET").pipe(Config.withDefault(1000)),
  policy: retryPolicyConfig
})

export const sync = (options: SyncOptions) =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    const ledger = options.ledger
    const warnings: Array<string> = []
    const failures: Array<SourceError> = []
    let rows = 0
    let highestUsage = 0
    const get = <A, I>(stream: string, path: string, params: Record<string, string>, schema: import("effect").Schema.Schema<A, I>) =>
      Effect.tap(
        call({
          source,
          stream,
          request: HttpClientRequest.get(`${settings.baseUrl}${path}`).pipe(HttpClientRequest.setUrlParams(params), HttpClientRequest.acceptJson),
          schema,
          auth: apiToken(settings.accessToken),
          policy: settings.policy,
          classify: classifyGraphError,
          retryAfterFrom: (headers) => bucWait(headers["x-business-use-case-usage"]),
          beforeAttempt: Effect.flatMap(consumeQuota(ledger, { source, scope: settings.account, limit: settings.dailyBudget }), (used) =>
            reportProgress(options, { _tag: "Quota", scope: settings.account, used, limit: settings.dailyBudget }))
        }),
        ({ headers }) => Effect.sync(() => (highestUsage = Math.max(highestUsage, bucUsage(headers["x-business-use-case-usage"]))))
      )
    const failed = (stream: string, request: unknown) => (problem: SourceError | Drifted | { readonly _tag: "SqlError" }) =>
      Effect.gen(function*() {
        if ("raw" in problem) {
          yield* storeRaw(ledger, { source, stream, scope: settings.account, request, body: problem.raw, status: "drift", error: problem.error.message })
          failures.push(problem.error)
        } else if (problem._tag === "SourceError") failures.push(problem as SourceError)
        else return yield* Effect.fail(problem)
      })

    // 1. Media, every page (an account's media are few); each page with its raw body and the next cursor.
    const allMedia: Array<Media> = []
    let after: string | undefined
    for (;;) {
      const params = { fields: mediaFields, limit: String(settings.pageSize), ...(after === undefined ? {} : { after }) }
      const page = yield* get("media", `/${settings.userId}/media`, params, MediaPage).pipe(Effect.either)
      if (Either.isLeft(page)) {
        yield* failed("media", params)(page.left)
        break
      }
      const { value, raw } = page.right
      const fetchedAt = new Date().toISOString()
      yield* ledger.withTransaction(Effect.gen(function*() {
        yield* storeRaw(ledger, { source, stream: "media", scope: settings.account, request: params, body: raw, status: "loaded" })
        yield* upsertRows(ledger, mediaTable.qualified, mediaTable.key, [
          { name: "account", values: value.data.map(() => settings.account) },
          { name: "id", values: value.data.map((m) => m.id) },
          { name: "media_type", values: value.data.map((m) => m.media_type) },
          { name: "media_product_type", values: value.data.map((m) => m.media_product_type ?? null) },
          { name: "caption", values: value.data.map((m) => m.caption ?? null) },
          { name: "permalink", values: value.data.map((m) => m.permalink ?? null) },
          { name: "posted_at", values: value.data.map((m) => m.timestamp) },
          { name: "like_count", values: value.data.map((m) => m.like_count ?? null) },
          { name: "comments_count", values: value.data.map((m) => m.comments_count ?? null) },
          { name: "fetched_at", values: value.data.map(() => fetchedAt) }
        ])
        yield* writeCursor(ledger, source, "media", settings.account, value.paging?.next === undefined ? `done ${fetchedAt}` : value.paging.cursors?.after ?? "")
      }))
      allMedia.push(...value.data)
      rows += value.data.length
      yield* reportProgress(options, { _tag: "Slice", stream: "media", scope: settings.account, label: `${allMedia.length} media`, rows: value.data.length, pages: 1 })
      after = value.paging?.next === undefined ? undefined : value.paging.cursors?.after
      if (after === undefined || value.data.length === 0) break
    }

    // 2. Insights and comments for recent media: their numbers still move.
    const since = `${options.since ?? addDays(options.today ?? dayOf(new Date()), -settings.recentDays)}T00:00:00Z`
    const recent = allMedia.filter((m) => m.timestamp.replace("+0000", "Z") >= since || Date.parse(m.timestamp) >= Date.parse(since))
    const metrics = settings.metrics.split(",").map((m) => m.trim()).filter((m) => m !== "")
    const unavailable = new Set<string>()
    let countedComments = 0
    let returnedComments = 0
    for (const m of recent) {
      // One request for every metric; a metric error (code 100) means: ask each alone, skip only the failing ones.
      const asked = metrics.filter((name) => !unavailable.has(name))
      const values: Array<{ metric: string; value: number }> = []
      const all = yield* get("insights", `/${m.id}/insights`, { metric: asked.join(",") }, InsightsResponse).pipe(Effect.either)
      if (Either.isRight(all)) values.push(...all.right.value.data.map((i) => ({ metric: i.name, value: i.values[0]?.value ?? 0 })))
      else if (!("raw" in all.left) && all.left._tag === "SourceError" && all.left.reason === "BadRequest" && graphErrorCode(all.left.message) === 100) {
        for (const metric of asked) {
          const one = yield* get("insights", `/${m.id}/insights`, { metric }, InsightsResponse).pipe(Effect.either)
          if (Either.isRight(one)) values.push(...one.right.value.data.map((i) => ({ metric: i.name, value: i.values[0]?.value ?? 0 })))
          else if (!("raw" in one.left) && one.left._tag === "SourceError" && one.left.reason === "BadRequest") {
            unavailable.add(metric)
            warnings.push(`insights: the metric "${metric}" is not available (deprecated or not valid for this media): skipped, the other metrics load`)
          } else yield* failed("insights", { media: m.id, metric })(one.left)
        }
      } else yield* failed("insights", { media: m.id })(all.left)
      if (values.length > 0) {
        const fetchedAt = new Date().toISOString()
        yield* ledger.withTransaction(upsertRows(ledger, insightsTable.qualified, insightsTable.key, [
          { name: "account", values: values.map(() => settings.account) },
          { name: "media_id", values: values.map(() => m.id) },
          { name: "metric", values: values.map((v) => v.metric) },
          { name: "value", values: values.map((v) => v.value) },
          { name: "fetched_at", values: values.map(() => fetchedAt) }
        ]))
        rows += values.length
      }

      if ((m.comments_count ?? 0) === 0) continue
      countedComments += m.comments_count ?? 0
      const page = yield* get("comments", `/${m.id}/comments`, { fields: "id,text,username,timestamp", limit: "50" }, CommentsPage).pipe(Effect.either)
      if (Either.isLeft(page)) {
        yield* failed("comments", { media: m.id })(page.left)
        continue
      }
      const found = page.right.value.data
      returnedComments += found.length
      // An empty answer for a post that has comments is not "no comments": keep what is stored (see the dev-mode check below).
      if (found.length === 0) continue
      const fetchedAt = new Date().toISOString()
      yield* ledger.withTransaction(upsertRows(ledger, commentsTable.qualified, commentsTable.key, [
        { name: "account", values: found.map(() => settings.account) },
        { name: "id", values: found.map((c) => c.id) },
        { name: "media_id", values: found.map(() => m.id) },
        { name: "text", values: found.map((c) => c.text) },
        { name: "username", values: found.map((c) => c.username ?? null) },
        { name: "posted_at", values: found.map((c) => c.timestamp) },
        { name: "fetched_at", values: found.map(() => fetchedAt) }
      ]))
      rows += found.length
    }
    if (countedComments > 0 && returnedComments === 0) {
      warnings.push(`comments: the app is in development mode; comment content is hidden (${countedComments} comments counted, none returned). Nothing was loaded in their place: switch the app to Live mode.`)
    }
    if (highestUsage >= 80) warnings.push(`Instagram's Business Use Case usage reached ${highestUsage}%: close to throttling`)
    return { rows, days: 0, warnings, failures } satisfies SyncOutcome
  })
