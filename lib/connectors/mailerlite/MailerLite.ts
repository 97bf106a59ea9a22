/**
 * MailerLite: subscribers (personal data, tagged), groups and sent campaigns
 * with their statistics. The API cannot list subscribers changed since a
 * date, so each run makes a full pass over every status, page by page: each
 * page is upserted together with the paging cursor, so a crash resumes at the
 * next page, and only a completed pass marks subscribers it no longer saw as
 * deleted. Requests stay under the documented 120 per minute (a client-side
 * limiter; 429 with Retry-After is honoured too) and a persisted daily cap.
 */
import { HttpClientRequest } from "@effect/platform"
import type { SqlError } from "@effect/sql/SqlError"
import { Config, Effect, Either, Option, RateLimiter, Schema } from "effect"
import { apiToken, call, type Drifted } from "../../http/Request.ts"
import { retryPolicyConfig } from "../../http/Retry.ts"
import type { SourceError } from "../../http/SourceError.ts"
import { upsertRows } from "../../sync/Bulk.ts"
import { consumeQuota, readCursor, storeRaw, writeCursor } from "../../sync/Ledger.ts"
import { report as reportProgress, type SyncOptions, type SyncOutcome } from "../../sync/Run.ts"
import { CampaignPage, GroupPage, instant, statuses, type Subscriber, SubscriberPage } from "./Api.ts"
import { campaigns, groups, subscribers } from "./tables.ts"

export const source = "mailerlite"

export const configured = Effect.map(Config.option(Config.string("SOLOHUB_MAILERLITE_TOKEN")), Option.isSome)

export const settingsConfig = Config.all({
  token: Config.redacted("SOLOHUB_MAILERLITE_TOKEN"),
  account: Config.string("SOLOHUB_MAILERLITE_ACCOUNT").pipe(Config.withDefault("newsletter")),
  baseUrl: Config.string("SOLOHUB_MAILERLITE_BASE_URL").pipe(Config.withDefault("https://connect.mailerlite.com/api")),
  pageSize: Config.integer("SOLOHUB_MAILERLITE_PAGE_SIZE").pipe(
    Config.withDefault(100),
    Config.validate({ message: "SOLOHUB_MAILERLITE_PAGE_SIZE must be 1–1000", validation: (n) => n >= 1 && n <= 1000 })
  ),
  requestsPerMinute: Config.integer("SOLOHUB_MAILERLITE_REQUESTS_PER_MINUTE").pipe(
    Config.withDefault(120),
    Config.validate({ message: "SOLOHUB_MAILERLITE_REQUESTS_PER_MINUTE must be 1–120 (MailerLite's limit)", validation: (n) => n >= 1 && n <= 120 })
  ),
  dailyBudget: Config.integer("SOLOHUB_MAILERLITE_DAILY_BUDGET").pipe(Config.withDefault(5000)),
  policy: retryPolicyConfig
})

/** Where a subscriber pass stands: its id, and the status and cursor of the next page to fetch. */
const PassPosition = Schema.parseJson(Schema.Struct({ pass: Schema.String, status: Schema.Literal(...statuses), cursor: Schema.NullOr(Schema.String) }))

const rate = (value: { readonly float: number }) => value.float
const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null)

export const sync = (options: SyncOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const settings = yield* settingsConfig
    const limiter = yield* RateLimiter.make({ limit: settings.requestsPerMinute, interval: "1 minute", algorithm: "fixed-window" })
    const ledger = options.ledger
    const warnings: Array<string> = []
    const failures: Array<SourceError> = []
    let rows = 0
    const get = <A, I>(stream: string, path: string, params: Record<string, string>, schema: Schema.Schema<A, I>) =>
      call({
        source,
        stream,
        request: HttpClientRequest.get(`${settings.baseUrl}${path}`).pipe(
          HttpClientRequest.setUrlParams(params),
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("X-Version", "2022-12-01")
        ),
        schema,
        auth: apiToken(settings.token),
        policy: settings.policy,
        limiter,
        beforeAttempt: Effect.flatMap(consumeQuota(ledger, { source, scope: settings.account, limit: settings.dailyBudget }), (used) =>
          reportProgress(options, { _tag: "Quota", scope: settings.account, used, limit: settings.dailyBudget }))
      })
    /** A stream that fails is recorded (drift with its raw body) and the others go on. */
    const guarded = <A, R>(stream: string, effect: Effect.Effect<A, SourceError | Drifted | SqlError, R>) =>
      Effect.gen(function*() {
        const outcome = yield* Effect.either(effect)
        if (Either.isRight(outcome)) return
        const problem = outcome.left
        if ("_tag" in problem && problem._tag === "SqlError") return yield* problem
        if ("raw" in problem) {
          yield* storeRaw(ledger, { source, stream, scope: settings.account, request: {}, body: problem.raw, status: "drift", error: problem.error.message })
          failures.push(problem.error)
        } else failures.push(problem)
      })

    /** Page-numbered lists (groups, campaigns): all pages, then one transaction replacing the set. */
    const pagedList = <P extends { readonly data: ReadonlyArray<unknown>; readonly meta: { readonly last_page: number } }, I>(
      stream: string,
      path: string,
      params: Record<string, string>,
      schema: Schema.Schema<P, I>
    ) =>
      Effect.gen(function*() {
        const items: Array<P["data"][number]> = []
        const raws: Array<{ request: Record<string, string>; body: string }> = []
        for (let page = 1; ; page++) {
          const request = { ...params, limit: String(settings.pageSize), page: String(page) }
          const { value, raw } = yield* get(stream, path, request, schema)
          items.push(...value.data)
          raws.push({ request, body: raw })
          if (page >= value.meta.last_page || value.data.length === 0) break
        }
        return { items, raws }
      })

    const syncGroups = Effect.gen(function*() {
      const { items, raws } = yield* pagedList("groups", "/groups", {}, GroupPage)
      const fetchedAt = new Date().toISOString()
      yield* ledger.withTransaction(Effect.gen(function*() {
        for (const r of raws) yield* storeRaw(ledger, { source, stream: "groups", scope: settings.account, request: r.request, body: r.body, status: "loaded" })
        yield* ledger`DELETE FROM newsletter.ml_groups WHERE account = ${settings.account} AND NOT (id = ANY(${items.map((g) => g.id)}))`
        yield* upsertRows(ledger, groups.qualified, groups.key, [
          { name: "account", values: items.map(() => settings.account) },
          { name: "id", values: items.map((g) => g.id) },
          { name: "name", values: items.map((g) => g.name) },
          ...(["active_count", "sent_count", "opens_count", "clicks_count", "unsubscribed_count", "unconfirmed_count", "bounced_count", "junk_count"] as const)
            .map((name) => ({ name, values: items.map((g) => g[name]) })),
          { name: "open_rate", values: items.map((g) => rate(g.open_rate)) },
          { name: "click_rate", values: items.map((g) => rate(g.click_rate)) },
          { name: "created_at", values: items.map((g) => instant(g.created_at)) },
          { name: "fetched_at", values: items.map(() => fetchedAt) }
        ])
      }))
      rows += items.length
      yield* reportProgress(options, { _tag: "Slice", stream: "groups", scope: settings.account, label: `${items.length} groups`, rows: items.length, pages: raws.length })
    })

    const syncCampaigns = Effect.gen(function*() {
      const { items, raws } = yield* pagedList("campaigns", "/campaigns", { "filter[status]": "sent" }, CampaignPage)
      const fetchedAt = new Date().toISOString()
      yield* ledger.withTransaction(Effect.gen(function*() {
        for (const r of raws) yield* storeRaw(ledger, { source, stream: "campaigns", scope: settings.account, request: r.request, body: r.body, status: "loaded" })
        yield* upsertRows(ledger, campaigns.qualified, campaigns.key, [
          { name: "account", values: items.map(() => settings.account) },
          { name: "id", values: items.map((c) => c.id) },
          { name: "name", values: items.map((c) => c.name) },
          { name: "type", values: items.map((c) => c.type) },
          { name: "status", values: items.map((c) => c.status) },
          { name: "subject", values: items.map((c) => text(c.emails?.[0]?.subject)) },
          ...(["created_at", "scheduled_for", "started_at", "finished_at"] as const).map((name) => ({ name, values: items.map((c) => instant(c[name])) })),
          ...(["sent", "opens_count", "unique_opens_count", "clicks_count", "unique_clicks_count", "unsubscribes_count", "spam_count", "hard_bounces_count", "soft_bounces_count", "forwards_count"] as const)
            .map((name) => ({ name, values: items.map((c) => c.stats[name]) })),
          ...(["open_rate", "click_rate", "click_to_open_rate"] as const).map((name) => ({ name, values: items.map((c) => rate(c.stats[name])) })),
          { name: "fetched_at", values: items.map(() => fetchedAt) }
        ])
      }))
      rows += items.length
      for (const c of items) {
        if (c.stats.sent > 0 && c.stats.opens_count === 0) warnings.push(`campaign "${c.name}": sent to ${c.stats.sent} with no opens recorded: open tracking may be off`)
      }
      yield* reportProgress(options, { _tag: "Slice", stream: "campaigns", scope: settings.account, label: `${items.length} campaigns`, rows: items.length, pages: raws.length })
    })

    /** One page of subscribers, its raw body and the next position, in one transaction. */
    const loadSubscriberPage = (pass: string, page: ReadonlyArray<Subscriber>, request: Record<string, string>, raw: string, next: string) =>
      ledger.withTransaction(Effect.gen(function*() {
        const fetchedAt = new Date().toISOString()
        yield* storeRaw(ledger, { source, stream: "subscribers", scope: settings.account, request, body: raw, status: "loaded" })
        yield* upsertRows(ledger, subscribers.qualified, subscribers.key, [
          { name: "account", values: page.map(() => settings.account) },
          { name: "id", values: page.map((s) => s.id) },
          { name: "email", values: page.map((s) => s.email) },
          { name: "name", values: page.map((s) => text(s.fields?.name)) },
          { name: "last_name", values: page.map((s) => text(s.fields?.last_name)) },
          { name: "fields", values: page.map((s) => s.fields ?? {}) },
          { name: "ip_address", values: page.map((s) => s.ip_address ?? null) },
          { name: "optin_ip", values: page.map((s) => s.optin_ip ?? null) },
          { name: "status", values: page.map((s) => s.status) },
          { name: "source", values: page.map((s) => s.source ?? null) },
          { name: "sent", values: page.map((s) => s.sent ?? 0) },
          { name: "opens_count", values: page.map((s) => s.opens_count ?? 0) },
          { name: "clicks_count", values: page.map((s) => s.clicks_count ?? 0) },
          { name: "open_rate", values: page.map((s) => s.open_rate ?? 0) },
          { name: "click_rate", values: page.map((s) => s.click_rate ?? 0) },
          { name: "group_ids", values: page.map((s) => `{${(s.groups ?? []).map((g) => `"${g.id.replaceAll('"', "")}"`).join(",")}}`) },
          ...(["subscribed_at", "unsubscribed_at", "opted_in_at", "created_at", "updated_at"] as const).map((name) => ({ name, values: page.map((s) => instant(s[name])) })),
          { name: "seen_pass", values: page.map(() => pass) },
          { name: "deleted_at", values: page.map(() => null) },
          { name: "fetched_at", values: page.map(() => fetchedAt) }
        ])
        yield* writeCursor(ledger, source, "subscribers", settings.account, next)
      }))

    const syncSubscribers = Effect.gen(function*() {
      const stored = yield* readCursor(ledger, source, "subscribers", settings.account)
      const resumed = stored === undefined || stored.startsWith("done ") ? undefined : Schema.decodeUnknownOption(PassPosition)(stored).pipe(Option.getOrUndefined)
      const pass = resumed?.pass ?? new Date().toISOString()
      if (resumed !== undefined) warnings.push(`subscribers: resuming the pass started ${resumed.pass} at status ${resumed.status}`)
      let pages = 0
      for (const status of statuses.slice(resumed === undefined ? 0 : statuses.indexOf(resumed.status))) {
        let cursor = resumed !== undefined && status === resumed.status ? resumed.cursor : null
        for (;;) {
          // `groups` is sent only when asked for; limit and filter are re-sent with the cursor (links.next may drop them).
          const request: Record<string, string> = { "filter[status]": status, limit: String(settings.pageSize), include: "groups", ...(cursor === null ? {} : { cursor }) }
          const { value, raw } = yield* get("subscribers", "/subscribers", request, SubscriberPage)
          const nextCursor = value.meta.next_cursor ?? null
          const nextStatus = statuses[statuses.indexOf(status) + 1]
          const next = nextCursor !== null
            ? Schema.encodeSync(PassPosition)({ pass, status, cursor: nextCursor })
            : nextStatus !== undefined ? Schema.encodeSync(PassPosition)({ pass, status: nextStatus, cursor: null }) : `done ${pass}`
          yield* loadSubscriberPage(pass, value.data, request, raw, next)
          rows += value.data.length
          pages++
          yield* reportProgress(options, { _tag: "Slice", stream: "subscribers", scope: settings.account, label: status, rows: value.data.length, pages: 1 })
          if (nextCursor === null || value.data.length === 0) break
          cursor = nextCursor
        }
      }
      // Only a completed pass can say who is gone.
      const gone = yield* ledger<{ n: number }>`
        WITH gone AS (UPDATE newsletter.ml_subscribers SET deleted_at = now()
          WHERE account = ${settings.account} AND seen_pass <> ${pass} AND deleted_at IS NULL RETURNING 1)
        SELECT count(*)::int AS n FROM gone`
      if ((gone[0]?.n ?? 0) > 0) warnings.push(`subscribers: ${gone[0]!.n} no longer in MailerLite (deleted or forgotten there); marked deleted`)
      return pages
    })

    yield* reportProgress(options, { _tag: "Planned", stream: "all", scope: settings.account, slices: 2 + statuses.length })
    yield* guarded("groups", syncGroups)
    yield* guarded("campaigns", syncCampaigns)
    yield* guarded("subscribers", syncSubscribers)
    return { rows, days: 0, warnings, failures } satisfies SyncOutcome
  }))
