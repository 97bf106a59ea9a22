/**
 * X: the founder's posts and threads with their public metrics. Metrics keep
 * moving for weeks, so each night re-reads the timeline back to a refresh
 * window (`start_time`), page by page: each page upserted with its raw body
 * and the next pagination token in one transaction, so a crash resumes at the
 * next page. Rate limits are X's 15-minute windows: a 429 waits until
 * x-rate-limit-reset (no Retry-After is sent), and a page that leaves
 * x-rate-limit-remaining at 0 pauses before the next, within reason.
 */
import { HttpClientRequest } from "@effect/platform"
import { Config, Duration, Effect, Either, Option, Schema } from "effect"
import { apiToken, call } from "../../http/Request.ts"
import { retryPolicyConfig } from "../../http/Retry.ts"
import type { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { addDays, dayOf } from "../../sync/Days.ts"
import { consumeQuota, readCursor, storeRaw, writeCursor } from "../../sync/Ledger.ts"
import { report as reportProgress, type SyncOptions, type SyncOutcome } from "../../sync/Run.ts"
import { resetWait, TimelinePage, tweetFields } from "./Api.ts"
import { posts } from "./tables.ts"

export const source = "x"
const stream = "posts"

export const configured = Effect.map(Config.option(Config.string("SOLOHUB_X_USER_ID")), Option.isSome)

export const settingsConfig = Config.all({
  userId: Config.string("SOLOHUB_X_USER_ID").pipe(Config.validate({ message: "SOLOHUB_X_USER_ID must be the numeric user id", validation: (s) => /^\d+$/.test(s) })),
  account: Config.string("SOLOHUB_X_ACCOUNT").pipe(Config.withDefault("x")),
  bearerToken: Config.redacted("SOLOHUB_X_BEARER_TOKEN"),
  baseUrl: Config.string("SOLOHUB_X_BASE_URL").pipe(Config.withDefault("https://api.x.com/2")),
  pageSize: Config.integer("SOLOHUB_X_PAGE_SIZE").pipe(Config.withDefault(100), Config.validate({ message: "SOLOHUB_X_PAGE_SIZE must be 5–100", validation: (n) => n >= 5 && n <= 100 })),
  refreshDays: Config.integer("SOLOHUB_X_REFRESH_DAYS").pipe(Config.withDefault(30)),
  dailyBudget: Config.integer("SOLOHUB_X_DAILY_BUDGET").pipe(Config.withDefault(100)),
  policy: retryPolicyConfig
})

/** Where a pass stands: its window and the token of the next page. */
const Position = Schema.parseJson(Schema.Struct({ start: Schema.String, end: Schema.NullOr(Schema.String), next: Schema.String }))

export const sync = (options: SyncOptions) =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    const ledger = options.ledger
    const warnings: Array<string> = []
    const failures: Array<SourceError> = []
    const today = options.today ?? dayOf(new Date())
    const stored = yield* readCursor(ledger, source, stream, settings.account)
    const resumed = stored === undefined || stored.startsWith("done") ? undefined : Schema.decodeUnknownOption(Position)(stored).pipe(Option.getOrUndefined)
    // The window: a backfill's range, or the refresh window back from today; a resumed pass keeps its own.
    const start = resumed?.start ?? `${options.since ?? addDays(today, -settings.refreshDays)}T00:00:00Z`
    const end = resumed !== undefined ? resumed.end : options.until !== undefined ? `${addDays(options.until, 1)}T00:00:00Z` : null
    if (resumed !== undefined) warnings.push(`posts: resuming the pass from ${resumed.start} at a saved page`)
    let token = resumed?.next
    let rows = 0
    let pages = 0
    for (;;) {
      const params: Record<string, string> = {
        max_results: String(settings.pageSize),
        "tweet.fields": tweetFields,
        exclude: "retweets",
        start_time: start,
        ...(end === null ? {} : { end_time: end }),
        ...(token === undefined ? {} : { pagination_token: token })
      }
      const fetched = yield* call({
        source,
        stream,
        request: HttpClientRequest.get(`${settings.baseUrl}/users/${settings.userId}/tweets`).pipe(HttpClientRequest.setUrlParams(params), HttpClientRequest.acceptJson),
        schema: TimelinePage,
        auth: apiToken(settings.bearerToken),
        policy: settings.policy,
        retryAfterFrom: (headers, now) => resetWait(headers, now),
        beforeAttempt: Effect.flatMap(consumeQuota(ledger, { source, scope: settings.account, limit: settings.dailyBudget }), (used) =>
          reportProgress(options, { _tag: "Quota", scope: settings.account, used, limit: settings.dailyBudget }))
      }).pipe(Effect.either)
      if (Either.isLeft(fetched)) {
        const problem = fetched.left
        if ("_tag" in problem && problem._tag === "SqlError") return yield* problem
        if ("raw" in problem) {
          yield* storeRaw(ledger, { source, stream, scope: settings.account, request: params, body: problem.raw, status: "drift", error: problem.error.message })
          failures.push(problem.error)
        } else failures.push(problem)
        break
      }
      const { value, raw, headers } = fetched.right
      const page = value.data ?? []
      const next = value.meta.next_token
      const fetchedAt = new Date().toISOString()
      yield* ledger.withTransaction(Effect.gen(function*() {
        yield* storeRaw(ledger, { source, stream, scope: settings.account, request: params, body: raw, status: "loaded" })
        yield* upsertRows(ledger, posts.qualified, posts.key, [
          { name: "account", values: page.map(() => settings.account) },
          { name: "id", values: page.map((p) => p.id) },
          { name: "conversation_id", values: page.map((p) => p.conversation_id ?? p.id) },
          // A reply to oneself inside one's own conversation is a thread's next post.
          { name: "is_thread_reply", values: page.map((p) => p.in_reply_to_user_id === settings.userId && (p.conversation_id ?? p.id) !== p.id) },
          { name: "created_at", values: page.map((p) => p.created_at) },
          { name: "text", values: page.map((p) => p.text) },
          { name: "retweets", values: page.map((p) => p.public_metrics.retweet_count) },
          { name: "replies", values: page.map((p) => p.public_metrics.reply_count) },
          { name: "likes", values: page.map((p) => p.public_metrics.like_count) },
          { name: "quotes", values: page.map((p) => p.public_metrics.quote_count) },
          { name: "bookmarks", values: page.map((p) => p.public_metrics.bookmark_count ?? null) },
          { name: "impressions", values: page.map((p) => p.public_metrics.impression_count ?? null) },
          { name: "fetched_at", values: page.map(() => fetchedAt) }
        ])
        yield* writeCursor(ledger, source, stream, settings.account, next === undefined ? `done ${fetchedAt}` : Schema.encodeSync(Position)({ start, end, next }))
      }))
      rows += page.length
      pages++
      yield* reportProgress(options, { _tag: "Slice", stream, scope: settings.account, label: `page ${pages}`, rows: page.length, pages: 1 })
      for (const e of value.errors ?? []) warnings.push(`posts: X reported a partial error: ${e.title ?? e.type ?? "?"}${e.detail === undefined ? "" : ` — ${e.detail}`}`)
      if (next === undefined) break
      token = next
      // The window is spent: wait for its reset if it is near, else stop here and resume next run.
      if (headers["x-rate-limit-remaining"] === "0") {
        const wait = Option.getOrElse(resetWait(headers, Date.now()), () => 0)
        if (wait > settings.policy.maxRetryAfterMillis) {
          warnings.push(`posts: X's rate-limit window is spent for ${Math.round(wait / 1000)} s; the next run resumes at the saved page`)
          break
        }
        yield* Effect.sleep(Duration.millis(wait))
      }
    }
    return { rows, days: 0, warnings, failures } satisfies SyncOutcome
  })
