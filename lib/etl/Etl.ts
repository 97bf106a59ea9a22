/**
 * The nightly ETL, as warehouse_writer: reads the hub's source schemas and
 * every product database (one connection each, no cross-database query) and
 * refreshes the warehouse models. Incremental by its own cursors
 * (warehouse.etl_cursors): the sources' fetch logs and `updated_at` columns
 * say which slices changed, and only those are rebuilt. Each model is
 * refreshed in one transaction together with its cursors, so the assistant
 * never sees a half-built model and a crash leaves the previous state; a run
 * with nothing new writes nothing. Personal data leaves as keyed pseudonyms
 * (the key never reaches the database) or not at all.
 */
import type { PgClient } from "@effect/sql-pg"
import { Effect } from "effect"
import { connect, roleParams, WarehouseWriter } from "../db/Connections.ts"
import { Layout } from "../db/Layout.ts"
import { Pseudonymizer } from "../pii/Pseudonymize.ts"
import { upsertRows } from "../sync/Bulk.ts"
import { subscribers as subscribersModel, signups as signupsModel } from "../warehouse/tables.ts"

export interface ModelOutcome {
  readonly model: string
  /** Slices (days, products, accounts) rebuilt; 0 when nothing changed. */
  readonly slices: number
  readonly rows: number
}

const epoch = "1970-01-01T00:00:00Z"

const readPosition = (sql: PgClient.PgClient, model: string, input: string) =>
  Effect.map(sql<{ position: string }>`SELECT position FROM warehouse.etl_cursors WHERE model = ${model} AND input = ${input}`, (r) => r[0]?.position ?? epoch)

const writePosition = (sql: PgClient.PgClient, model: string, input: string, position: string) =>
  sql`INSERT INTO warehouse.etl_cursors (model, input, position, updated_at) VALUES (${model}, ${input}, ${position}, now())
      ON CONFLICT (model, input) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`

/** The URL path of a page URL: no scheme, host, query or fragment ("/" for the root). */
const pathSql = (column: string) => `coalesce(nullif(regexp_replace(regexp_replace(${column}, '^[a-z][a-z0-9+.-]*://[^/]+', '', 'i'), '[?#].*$', ''), ''), '/')`
export const pathOf = (url: string | null | undefined) => {
  if (url === null || url === undefined || url === "") return null
  const stripped = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, "").replace(/[?#].*$/, "")
  return stripped === "" ? "/" : stripped
}

/** A fetch log as a change feed: the (property, date) slices loaded since the cursor, and its new high-water mark. */
interface Feed {
  readonly input: string
  /** SQL returning (property, date, fetched_at) rows of the log. */
  readonly log: string
}

const pageFeeds: ReadonlyArray<Feed> = [
  {
    input: "search.gsc_fetch_log",
    log: `SELECT p.property, l.date, l.fetched_at FROM search.gsc_fetch_log l
            JOIN (SELECT DISTINCT property, site_url FROM search.gsc_site_daily) p USING (site_url) WHERE l.report = 'page'`
  },
  {
    input: "analytics.ga4_fetch_log",
    log: `SELECT p.property, l.date, l.fetched_at FROM analytics.ga4_fetch_log l
            JOIN (SELECT DISTINCT property, ga4_property_id FROM analytics.ga4_page_daily) p USING (ga4_property_id) WHERE l.report = 'page'`
  },
  { input: "behaviour.clarity_fetch_log", log: `SELECT project AS property, date, fetched_at FROM behaviour.clarity_fetch_log` }
]

/**
 * A day-sliced model: finds the changed (property, date) slices in its feeds,
 * then deletes and rebuilds exactly those, with the cursors, in one transaction.
 */
const daySlicedModel = (sql: PgClient.PgClient, model: string, table: string, feeds: ReadonlyArray<Feed>, build: string) =>
  sql.withTransaction(Effect.gen(function*() {
    const changed = new Map<string, { property: string; date: string }>()
    const marks: Array<{ input: string; mark: string }> = []
    for (const feed of feeds) {
      const since = yield* readPosition(sql, model, feed.input)
      const rows = yield* sql.unsafe<{ property: string; date: string; mark: string }>(
        `SELECT f.property, to_char(f.date, 'YYYY-MM-DD') AS date, to_char(max(f.fetched_at) OVER () AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS mark
           FROM (${feed.log}) f WHERE f.fetched_at > $1::timestamptz`,
        [since]
      )
      for (const r of rows) changed.set(`${r.property}\u0000${r.date}`, { property: r.property, date: r.date })
      if (rows.length > 0) marks.push({ input: feed.input, mark: rows[0]!.mark })
    }
    if (changed.size === 0) return { model, slices: 0, rows: 0 } satisfies ModelOutcome
    const slices = [...changed.values()]
    const params = [slices.map((s) => s.property), slices.map((s) => s.date)]
    yield* sql.unsafe(
      `DELETE FROM ${table} w USING unnest($1::text[], $2::date[]) AS c(property, date) WHERE w.property = c.property AND w.date = c.date`,
      params
    )
    const inserted = yield* sql.unsafe<{ n: number }>(
      `WITH changed AS (SELECT * FROM unnest($1::text[], $2::date[]) AS c(property, date)), inserted AS (${build} RETURNING 1)
       SELECT count(*)::int AS n FROM inserted`,
      params
    )
    for (const { input, mark } of marks) yield* writePosition(sql, model, input, mark)
    return { model, slices: slices.length, rows: inserted[0]?.n ?? 0 } satisfies ModelOutcome
  }))

const pageDaily = (sql: PgClient.PgClient) =>
  daySlicedModel(sql, "page_daily", "warehouse.page_daily", pageFeeds, `
    INSERT INTO warehouse.page_daily (property, date, page_path, search_impressions, search_clicks, search_position_sum,
      views, active_users, engagement_seconds, key_events, behaviour_sessions, scroll_depth_avg, rage_clicks, dead_clicks, quickbacks, script_errors)
    SELECT property, date, page_path, sum(si), sum(sc), sum(sps), sum(v), sum(au), sum(es), sum(ke),
           sum(bs), avg(sd), sum(rc), sum(dc), sum(qb), sum(se)
      FROM (
        SELECT g.property, g.date, ${pathSql("g.page")} AS page_path, g.impressions AS si, g.clicks AS sc,
               coalesce(g.position, 0) * g.impressions AS sps, 0 AS v, 0 AS au, 0 AS es, 0 AS ke,
               NULL::numeric AS bs, NULL::numeric AS sd, NULL::numeric AS rc, NULL::numeric AS dc, NULL::numeric AS qb, NULL::numeric AS se
          FROM search.gsc_page_daily g JOIN changed c ON c.property = g.property AND c.date = g.date WHERE g.search_type = 'web'
        UNION ALL
        SELECT a.property, a.date, ${pathSql("a.page_path")}, 0, 0, 0, a.screen_page_views, a.active_users, a.user_engagement_duration_s, a.key_events,
               NULL, NULL, NULL, NULL, NULL, NULL
          FROM analytics.ga4_page_daily a JOIN changed c ON c.property = a.property AND c.date = a.date
        UNION ALL
        SELECT b.project, b.date, ${pathSql("b.url")}, 0, 0, 0, 0, 0, 0, 0,
               b.sessions, b.scroll_depth_avg, b.rage_clicks, b.dead_clicks, b.quickbacks, b.script_errors
          FROM behaviour.clarity_page_daily b JOIN changed c ON c.property = b.project AND c.date = b.date
      ) x
     GROUP BY property, date, page_path`)

const searchQueryDaily = (sql: PgClient.PgClient) =>
  daySlicedModel(sql, "search_query_daily", "warehouse.search_query_daily", [{
    input: "search.gsc_fetch_log",
    log: `SELECT p.property, l.date, l.fetched_at FROM search.gsc_fetch_log l
            JOIN (SELECT DISTINCT property, site_url FROM search.gsc_site_daily) p USING (site_url) WHERE l.report = 'page_query'`
  }], `
    INSERT INTO warehouse.search_query_daily (property, date, page_path, query, impressions, clicks, position)
    SELECT g.property, g.date, ${pathSql("g.page")}, g.query, sum(g.impressions), sum(g.clicks),
           sum(g.position * g.impressions) / nullif(sum(g.impressions), 0)
      FROM search.gsc_page_query_daily g JOIN changed c ON c.property = g.property AND c.date = g.date
     WHERE g.search_type = 'web'
     GROUP BY g.property, g.date, ${pathSql("g.page")}, g.query`)

const trafficDaily = (sql: PgClient.PgClient) =>
  daySlicedModel(sql, "traffic_daily", "warehouse.traffic_daily", [{
    input: "analytics.ga4_fetch_log",
    log: `SELECT p.property, l.date, l.fetched_at FROM analytics.ga4_fetch_log l
            JOIN (SELECT DISTINCT property, ga4_property_id FROM analytics.ga4_traffic_daily) p USING (ga4_property_id) WHERE l.report = 'traffic'`
  }], `
    INSERT INTO warehouse.traffic_daily (property, date, source, medium, campaign, sessions, engaged_sessions, key_events)
    SELECT t.property, t.date, t.session_source, t.session_medium, t.session_campaign_name, sum(t.sessions), sum(t.engaged_sessions), sum(t.key_events)
      FROM analytics.ga4_traffic_daily t JOIN changed c ON c.property = t.property AND c.date = t.date
     GROUP BY t.property, t.date, t.session_source, t.session_medium, t.session_campaign_name`)

const bingPageWeekly = (sql: PgClient.PgClient) =>
  daySlicedModel(sql, "bing_page_weekly", "warehouse.bing_page_weekly", [{
    input: "search.bing_fetch_log",
    log: `SELECT p.property, l.week AS date, l.fetched_at FROM search.bing_fetch_log l
            JOIN (SELECT DISTINCT property, site_url FROM search.bing_page_weekly) p USING (site_url) WHERE l.stream = 'page'`
  }], `
    INSERT INTO warehouse.bing_page_weekly (property, date, page_path, clicks, impressions, position_sum)
    SELECT b.property, b.week, ${pathSql("b.page")}, sum(b.clicks), sum(b.impressions), sum(b.avg_impression_position * b.impressions)
      FROM search.bing_page_weekly b JOIN changed c ON c.property = b.property AND c.date = b.week
     GROUP BY b.property, b.week, ${pathSql("b.page")}`)

/** Social posts (X, Instagram) whose numbers were re-read since the cursor: upserted in place, never the text. */
const socialFeeds = [
  {
    input: "social.x_posts",
    select: `SELECT 'x' AS platform, account, id AS post_id, conversation_id AS thread_id, is_thread_reply, (created_at AT TIME ZONE 'UTC')::date AS posted_on,
                    impressions, likes, replies, retweets AS reposts, quotes, bookmarks, fetched_at FROM social.x_posts`
  },
  {
    input: "social.ig_media",
    // Instagram: reach stands in for impressions (the impressions metric is deprecated); comments are the replies.
    select: `SELECT 'instagram' AS platform, m.account, m.id AS post_id, m.id AS thread_id, false AS is_thread_reply, (m.posted_at AT TIME ZONE 'UTC')::date AS posted_on,
                    (SELECT value::int FROM social.ig_media_insights i WHERE i.account = m.account AND i.media_id = m.id AND i.metric = 'reach') AS impressions,
                    coalesce(m.like_count, 0) AS likes, coalesce(m.comments_count, 0) AS replies,
                    coalesce((SELECT value::int FROM social.ig_media_insights i WHERE i.account = m.account AND i.media_id = m.id AND i.metric = 'shares'), 0) AS reposts,
                    0 AS quotes, (SELECT value::int FROM social.ig_media_insights i WHERE i.account = m.account AND i.media_id = m.id AND i.metric = 'saved') AS bookmarks,
                    greatest(m.fetched_at, (SELECT max(fetched_at) FROM social.ig_media_insights i WHERE i.account = m.account AND i.media_id = m.id)) AS fetched_at
               FROM social.ig_media m`
  }
] as const

const socialPosts = (sql: PgClient.PgClient) =>
  sql.withTransaction(Effect.gen(function*() {
    let rows = 0
    for (const feed of socialFeeds) {
      const since = yield* readPosition(sql, "social_posts", feed.input)
      const changed = yield* sql.unsafe<{ n: number; mark: string | null }>(`
        WITH changed AS (SELECT * FROM (${feed.select}) f WHERE f.fetched_at > $1::timestamptz),
        upserted AS (
          INSERT INTO warehouse.social_posts (platform, account, post_id, thread_id, is_thread_reply, posted_on, impressions, likes, replies, reposts, quotes, bookmarks)
          SELECT platform, account, post_id, thread_id, is_thread_reply, posted_on, impressions, likes, replies, reposts, quotes, bookmarks FROM changed
          ON CONFLICT (platform, account, post_id) DO UPDATE SET thread_id = EXCLUDED.thread_id, is_thread_reply = EXCLUDED.is_thread_reply,
            impressions = EXCLUDED.impressions, likes = EXCLUDED.likes, replies = EXCLUDED.replies, reposts = EXCLUDED.reposts,
            quotes = EXCLUDED.quotes, bookmarks = EXCLUDED.bookmarks
          RETURNING 1)
        SELECT (SELECT count(*)::int FROM upserted) AS n,
               (SELECT to_char(max(fetched_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM changed) AS mark`, [since])
      if (changed[0]?.mark === null || changed[0] === undefined) continue
      yield* writePosition(sql, "social_posts", feed.input, changed[0].mark)
      rows += changed[0].n
    }
    return { model: "social_posts", slices: rows > 0 ? 1 : 0, rows } satisfies ModelOutcome
  }))

/** Views (Analytics) and reach (Reporting API) per video and day: either may arrive first, the other fills in later. */
const videoDaily = (sql: PgClient.PgClient) =>
  daySlicedModel(sql, "video_daily", "warehouse.video_daily", [
    { input: "video.yt_video_daily", log: `SELECT channel_id AS property, date, fetched_at FROM video.yt_video_daily` },
    { input: "video.yt_reach_reports", log: `SELECT channel_id AS property, date, fetched_at FROM video.yt_reach_reports` }
  ], `
    INSERT INTO warehouse.video_daily (property, date, video_id, views, watch_minutes, subscribers_gained, impressions, impressions_ctr)
    SELECT coalesce(d.channel_id, r.channel_id), coalesce(d.date, r.date), coalesce(d.video_id, r.video_id),
           d.views, d.watch_minutes, d.subscribers_gained, r.impressions, r.impressions_ctr
      FROM (SELECT d.* FROM video.yt_video_daily d JOIN changed c ON c.property = d.channel_id AND c.date = d.date) d
      FULL JOIN (SELECT r.* FROM video.yt_reach_daily r JOIN changed c ON c.property = r.channel_id AND c.date = r.date) r
        ON r.channel_id = d.channel_id AND r.date = d.date AND r.video_id = d.video_id`)

/** Videos, their titles and thumbnail changes: small, replaced together when a sync re-read the videos. */
const videoCatalog = (sql: PgClient.PgClient) =>
  sql.withTransaction(Effect.gen(function*() {
    const since = yield* readPosition(sql, "videos", "video.yt_videos")
    const mark = yield* sql<{ mark: string | null }>`
      SELECT to_char(max(fetched_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS mark FROM video.yt_videos WHERE fetched_at > ${since}::timestamptz`
    if (mark[0]?.mark === null || mark[0] === undefined) return { model: "videos", slices: 0, rows: 0 } satisfies ModelOutcome
    yield* sql`DELETE FROM warehouse.videos`
    yield* sql`DELETE FROM warehouse.video_titles`
    yield* sql`DELETE FROM warehouse.thumbnail_changes`
    const [counts] = yield* sql<{ videos: number; titles: number; changes: number }>`
      WITH v AS (INSERT INTO warehouse.videos (video_id, channel_id, title, published_on, views, likes, comments)
                 SELECT video_id, channel_id, title, (published_at AT TIME ZONE 'UTC')::date, views, likes, comments FROM video.yt_videos RETURNING 1),
           t AS (INSERT INTO warehouse.video_titles (video_id, title, seen_from) SELECT video_id, title, seen_from FROM video.yt_video_titles RETURNING 1),
           c AS (INSERT INTO warehouse.thumbnail_changes (video_id, changed_at)
                 SELECT video_id, seen_from FROM (SELECT video_id, seen_from, row_number() OVER (PARTITION BY video_id ORDER BY seen_from) AS n FROM video.yt_thumbnail_versions) x
                  WHERE n > 1 RETURNING 1)
      SELECT (SELECT count(*)::int FROM v) AS videos, (SELECT count(*)::int FROM t) AS titles, (SELECT count(*)::int FROM c) AS changes`
    yield* writePosition(sql, "videos", "video.yt_videos", mark[0].mark)
    return { model: "videos", slices: 1, rows: counts!.videos + counts!.titles + counts!.changes } satisfies ModelOutcome
  }))

/** Campaigns: few rows, replaced whole when any changed. */
const campaigns = (sql: PgClient.PgClient) =>
  sql.withTransaction(Effect.gen(function*() {
    const since = yield* readPosition(sql, "campaigns", "newsletter.ml_campaigns")
    const mark = yield* sql<{ mark: string | null }>`
      SELECT to_char(max(fetched_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS mark FROM newsletter.ml_campaigns WHERE fetched_at > ${since}::timestamptz`
    if (mark[0]?.mark === null || mark[0] === undefined) return { model: "campaigns", slices: 0, rows: 0 } satisfies ModelOutcome
    yield* sql`DELETE FROM warehouse.campaigns`
    const rows = yield* sql<{ n: number }>`
      WITH inserted AS (
        INSERT INTO warehouse.campaigns (account, campaign_id, name, subject, sent_on, sent, unique_opens, unique_clicks, unsubscribes, open_rate, click_rate)
        SELECT account, id, name, subject, (coalesce(finished_at, started_at) AT TIME ZONE 'UTC')::date, sent, unique_opens_count, unique_clicks_count,
               unsubscribes_count, open_rate, click_rate
          FROM newsletter.ml_campaigns RETURNING 1)
      SELECT count(*)::int AS n FROM inserted`
    yield* writePosition(sql, "campaigns", "newsletter.ml_campaigns", mark[0].mark)
    return { model: "campaigns", slices: 1, rows: rows[0]?.n ?? 0 } satisfies ModelOutcome
  }))

/** A small imported table, replaced whole (in one transaction) when a newer import arrived. */
const replacedOnImport = (sql: PgClient.PgClient, model: string, source: string, target: string, insert: string) =>
  sql.withTransaction(Effect.gen(function*() {
    const since = yield* readPosition(sql, model, source)
    const mark = yield* sql.unsafe<{ mark: string | null }>(
      `SELECT to_char(max(imported_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS mark FROM ${source} WHERE imported_at > $1::timestamptz`,
      [since]
    )
    if (mark[0]?.mark === null || mark[0] === undefined) return { model, slices: 0, rows: 0 } satisfies ModelOutcome
    yield* sql.unsafe(`DELETE FROM ${target}`)
    const rows = yield* sql.unsafe<{ n: number }>(`WITH inserted AS (${insert} RETURNING 1) SELECT count(*)::int AS n FROM inserted`)
    yield* writePosition(sql, model, source, mark[0].mark)
    return { model, slices: 1, rows: rows[0]?.n ?? 0 } satisfies ModelOutcome
  }))

const financeMonthly = (sql: PgClient.PgClient) =>
  replacedOnImport(sql, "finance_monthly", "finance.entries", "warehouse.finance_monthly",
    `INSERT INTO warehouse.finance_monthly (month, kind, category, currency, amount_cents) SELECT month, kind, category, currency, amount_cents FROM finance.entries`)

/** Deals without the client: the warehouse needs the channel, not who. */
const deals = (sql: PgClient.PgClient) =>
  replacedOnImport(sql, "deals", "crm.deals", "warehouse.deals",
    `INSERT INTO warehouse.deals (deal_id, stage, value_cents, currency, source_channel, opened_on, closed_on)
     SELECT deal_id, stage, value_cents, currency, source_channel, opened_on, closed_on FROM crm.deals`)

/** Subscribers changed (or deleted) since the cursor, pseudonymized here: the email never reaches the warehouse. */
const subscribers = (sql: PgClient.PgClient) =>
  Effect.gen(function*() {
    const pseudonymizer = yield* Pseudonymizer
    return yield* sql.withTransaction(Effect.gen(function*() {
      const since = yield* readPosition(sql, "subscribers", "newsletter.ml_subscribers")
      const changed = yield* sql<{
        account: string; email: string; status: string; source: string | null; subscribed_on: string | null
        sent: number; opens_count: number; clicks_count: number; open_rate: string; click_rate: string; deleted: boolean; mark: string
      }>`
        SELECT account, email, status, source, to_char(subscribed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS subscribed_on,
               sent, opens_count, clicks_count, open_rate::text, click_rate::text, deleted_at IS NOT NULL AS deleted,
               to_char(max(greatest(fetched_at, coalesce(deleted_at, fetched_at))) OVER () AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS mark
          FROM newsletter.ml_subscribers
         WHERE greatest(fetched_at, coalesce(deleted_at, fetched_at)) > ${since}::timestamptz`
      if (changed.length === 0) return { model: "subscribers", slices: 0, rows: 0 } satisfies ModelOutcome
      const col = <K extends keyof (typeof changed)[number]>(k: K) => changed.map((r) => r[k])
      yield* upsertRows(sql, subscribersModel.qualified, subscribersModel.key, [
        { name: "account", values: col("account") },
        { name: "person_key", values: changed.map((r) => pseudonymizer.key("email", r.email)) },
        { name: "status", values: col("status") },
        { name: "source", values: col("source") },
        { name: "subscribed_on", values: col("subscribed_on") },
        { name: "sent", values: col("sent") },
        { name: "opens", values: col("opens_count") },
        { name: "clicks", values: col("clicks_count") },
        { name: "open_rate_pct", values: col("open_rate") },
        { name: "click_rate_pct", values: col("click_rate") },
        { name: "deleted", values: col("deleted") }
      ])
      yield* writePosition(sql, "subscribers", "newsletter.ml_subscribers", changed[0]!.mark)
      return { model: "subscribers", slices: 1, rows: changed.length } satisfies ModelOutcome
    }))
  })

/** One product database: sign-ups (pseudonymized) and revenue per day, read on its own connection. */
const product = (hub: PgClient.PgClient, name: string, database: string) =>
  Effect.scoped(Effect.gen(function*() {
    const pseudonymizer = yield* Pseudonymizer
    const source = yield* connect(yield* roleParams("warehouse_writer", database), { applicationName: `solohub:etl:${name}`, maxConnections: 1 })
    const outcomes: Array<ModelOutcome> = []

    const signupsSince = yield* readPosition(hub, "signups", name)
    const changed = yield* source<{
      email: string; signed_up_on: string; plan: string | null; utm_source: string | null; utm_medium: string | null; utm_campaign: string | null
      landing_page: string | null; video_id: string | null; mark: string
    }>`
      SELECT u.email, to_char(s.signed_up_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS signed_up_on, s.plan, s.utm_source, s.utm_medium, s.utm_campaign,
             s.landing_page, s.video_id,
             to_char(max(greatest(s.updated_at, u.updated_at)) OVER () AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS mark
        FROM app.signups s JOIN app.users u ON u.id = s.user_id
       WHERE greatest(s.updated_at, u.updated_at) > ${signupsSince}::timestamptz`
    outcomes.push(yield* hub.withTransaction(Effect.gen(function*() {
      if (changed.length === 0) return { model: `signups:${name}`, slices: 0, rows: 0 }
      yield* upsertRows(hub, signupsModel.qualified, signupsModel.key, [
        { name: "product", values: changed.map(() => name) },
        { name: "person_key", values: changed.map((r) => pseudonymizer.key("email", r.email)) },
        { name: "signed_up_on", values: changed.map((r) => r.signed_up_on) },
        { name: "plan", values: changed.map((r) => r.plan) },
        { name: "utm_source", values: changed.map((r) => r.utm_source) },
        { name: "utm_medium", values: changed.map((r) => r.utm_medium) },
        { name: "utm_campaign", values: changed.map((r) => r.utm_campaign) },
        { name: "landing_page", values: changed.map((r) => pathOf(r.landing_page)) },
        { name: "video_id", values: changed.map((r) => r.video_id) }
      ])
      yield* writePosition(hub, "signups", name, changed[0]!.mark)
      return { model: `signups:${name}`, slices: 1, rows: changed.length }
    })))

    const paymentsSince = yield* readPosition(hub, "revenue_daily", name)
    const days = yield* source<{ day: string; mark: string }>`
      SELECT DISTINCT to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
             to_char(max(updated_at) OVER () AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS mark
        FROM app.payments WHERE updated_at > ${paymentsSince}::timestamptz`
    if (days.length === 0) outcomes.push({ model: `revenue_daily:${name}`, slices: 0, rows: 0 })
    else {
      const dates = days.map((d) => d.day)
      const totals = yield* source<{ day: string; currency: string; payments: number; succeeded: string; refunded: string }>`
        SELECT to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, currency, count(*)::int AS payments,
               coalesce(sum(amount_cents) FILTER (WHERE status = 'succeeded'), 0)::text AS succeeded,
               coalesce(sum(amount_cents) FILTER (WHERE status = 'refunded'), 0)::text AS refunded
          FROM app.payments WHERE (paid_at AT TIME ZONE 'UTC')::date = ANY(${dates}::date[])
         GROUP BY 1, 2`
      outcomes.push(yield* hub.withTransaction(Effect.gen(function*() {
        yield* hub`DELETE FROM warehouse.revenue_daily WHERE product = ${name} AND date = ANY(${dates}::date[])`
        yield* upsertRows(hub, "warehouse.revenue_daily", ["product", "date", "currency"], [
          { name: "product", values: totals.map(() => name) },
          { name: "date", values: totals.map((t) => t.day) },
          { name: "currency", values: totals.map((t) => t.currency) },
          { name: "payments", values: totals.map((t) => t.payments) },
          { name: "succeeded_cents", values: totals.map((t) => t.succeeded) },
          { name: "refunded_cents", values: totals.map((t) => t.refunded) }
        ])
        yield* writePosition(hub, "revenue_daily", name, days[0]!.mark)
        return { model: `revenue_daily:${name}`, slices: dates.length, rows: totals.length }
      })))
    }
    return outcomes
  }))

/** Freshness per source and property; a row changes only when its figures do. */
const freshness = (sql: PgClient.PgClient) =>
  Effect.map(sql<{ n: number }>`
    WITH current AS (
      SELECT 'search-console' AS source, property, max(date) AS newest_day, count(*) AS rows_loaded,
             (SELECT max(fetched_at) FROM search.gsc_fetch_log) AS last_success_at FROM search.gsc_page_daily GROUP BY property
      UNION ALL
      SELECT 'ga4', property, max(date), count(*), (SELECT max(fetched_at) FROM analytics.ga4_fetch_log) FROM analytics.ga4_page_daily GROUP BY property
      UNION ALL
      SELECT 'clarity', project, max(date), count(*), max(fetched_at) FROM behaviour.clarity_page_daily GROUP BY project
      UNION ALL
      SELECT 'mailerlite', account, (max(fetched_at) AT TIME ZONE 'UTC')::date, count(*), max(fetched_at) FROM newsletter.ml_subscribers GROUP BY account
      UNION ALL
      SELECT 'bing', property, max(week), count(*), max(fetched_at) FROM search.bing_page_weekly GROUP BY property
      UNION ALL
      SELECT 'x', account, (max(created_at) AT TIME ZONE 'UTC')::date, count(*), max(fetched_at) FROM social.x_posts GROUP BY account
      UNION ALL
      SELECT 'youtube', channel_id, max(date), count(*), max(fetched_at) FROM video.yt_video_daily GROUP BY channel_id
      UNION ALL
      SELECT 'youtube-reach', channel_id, max(date), count(*), max(fetched_at) FROM video.yt_reach_daily GROUP BY channel_id
      UNION ALL
      SELECT 'product', product, max(signed_up_on), count(*), NULL FROM warehouse.signups GROUP BY product
    ), upserted AS (
      INSERT INTO warehouse.data_freshness (source, property, newest_day, rows_loaded, last_success_at, refreshed_at)
      SELECT source, property, newest_day, rows_loaded, last_success_at, now() FROM current
      ON CONFLICT (source, property) DO UPDATE SET newest_day = EXCLUDED.newest_day, rows_loaded = EXCLUDED.rows_loaded,
        last_success_at = EXCLUDED.last_success_at, refreshed_at = EXCLUDED.refreshed_at
       WHERE (warehouse.data_freshness.newest_day, warehouse.data_freshness.rows_loaded, warehouse.data_freshness.last_success_at)
             IS DISTINCT FROM (EXCLUDED.newest_day, EXCLUDED.rows_loaded, EXCLUDED.last_success_at)
      RETURNING 1)
    SELECT count(*)::int AS n FROM upserted`, (r): ModelOutcome => ({ model: "data_freshness", slices: r[0]?.n ?? 0, rows: r[0]?.n ?? 0 }))

/** Runs every model in turn; each commits on its own. */
export const runEtl = Effect.gen(function*() {
  const hub = yield* WarehouseWriter
  const layout = yield* Layout
  const outcomes: Array<ModelOutcome> = []
  for (const step of [pageDaily, searchQueryDaily, trafficDaily, bingPageWeekly, campaigns, subscribers, financeMonthly, deals, socialPosts, videoCatalog, videoDaily]) outcomes.push(yield* step(hub))
  for (const p of layout.products) outcomes.push(...(yield* product(hub, p.name, p.database)))
  outcomes.push(yield* freshness(hub))
  return outcomes
})
