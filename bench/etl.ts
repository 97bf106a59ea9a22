/**
 * bench/etl: the ETL and the named questions on a dataset ten times the demo's (120 pages × 90 days × 5 queries
 * of search data, GA4 and Clarity alike, 2,400 subscribers, 1,200 sign-ups with payments), in a layout of its own
 * (namespace `benchetl`) on the embedded default or SOLOHUB_ADMIN_URL. Prints the full build, an incremental run
 * after one new day, and each named question's time as mcp_ro, with row counts. Targets: incremental run < 5 s,
 * every named question < 200 ms. Not a test: `npm run bench:etl`.
 */
import { ConfigProvider, Duration, Effect, Layer } from "effect"
import { Assistant } from "../lib/assistant/Assistant.ts"
import { questions } from "../lib/assistant/Questions.ts"
import { Cluster } from "../lib/db/Cluster.ts"
import { Admin, WarehouseWriter } from "../lib/db/Connections.ts"
import { Layout } from "../lib/db/Layout.ts"
import { provision } from "../lib/db/Provision.ts"
import { runEtl } from "../lib/etl/Etl.ts"
import { Pseudonymizer } from "../lib/pii/Pseudonymize.ts"

const pages = 120
const days = 90

/** One day of every day-sliced source for every page, generated in SQL (what the connectors would have loaded). */
const sourcesForDays = (first: number, last: number) => `
  WITH d AS (SELECT (current_date - g) AS date FROM generate_series(${first}, ${last}) g),
       p AS (SELECT i, 'https://blog.example.com/posts/page-' || i AS url, '/posts/page-' || i AS path FROM generate_series(1, ${pages}) i),
       q AS (SELECT j FROM generate_series(1, 5) j)
  , gsc_pq AS (
    INSERT INTO search.gsc_page_query_daily (property, site_url, search_type, date, page, query, clicks, impressions, ctr, position, aggregation_type, fetched_at)
    SELECT 'blog', 'sc-domain:blog.example.com', 'web', d.date, p.url, 'query ' || p.i || ' variant ' || q.j,
           (p.i * q.j + extract(doy FROM d.date)::int) % 17, 20 + (p.i * 7 + q.j * 13 + extract(doy FROM d.date)::int) % 400, 0.03,
           1 + ((p.i + q.j * 3 + extract(doy FROM d.date)::int) % 180) / 10.0, 'byPage', now()
      FROM d, p, q RETURNING 1)
  , gsc_p AS (
    INSERT INTO search.gsc_page_daily (property, site_url, search_type, date, page, clicks, impressions, ctr, position, aggregation_type, fetched_at)
    SELECT 'blog', 'sc-domain:blog.example.com', 'web', d.date, p.url, (p.i * 5) % 60, 300 + (p.i * 31) % 1500, 0.03, 1 + (p.i % 150) / 10.0, 'byPage', now() FROM d, p RETURNING 1)
  , gsc_s AS (
    INSERT INTO search.gsc_site_daily (property, site_url, search_type, date, clicks, impressions, ctr, position, aggregation_type, fetched_at)
    SELECT 'blog', 'sc-domain:blog.example.com', 'web', d.date, 3000, 90000, 0.033, 8.2, 'byProperty', now() FROM d RETURNING 1)
  , gsc_log AS (
    INSERT INTO search.gsc_fetch_log (site_url, search_type, date, report, rows_returned, pages, capped, dropped_rows, fetched_at)
    SELECT 'sc-domain:blog.example.com', 'web', d.date, r, 600, 1, false, 0, now() FROM d, unnest(ARRAY['site', 'page', 'query', 'page_query']) r RETURNING 1)
  , ga4_p AS (
    INSERT INTO analytics.ga4_page_daily (property, ga4_property_id, date, host_name, page_path, screen_page_views, active_users, user_engagement_duration_s, event_count, key_events, fetched_at)
    SELECT 'blog', '123456789', d.date, 'blog.example.com', p.path, 30 + p.i % 90, 20 + p.i % 60, 900 + p.i * 3, 100 + p.i, p.i % 4, now() FROM d, p RETURNING 1)
  , ga4_t AS (
    INSERT INTO analytics.ga4_traffic_daily (property, ga4_property_id, date, session_source, session_medium, session_campaign_name, sessions, engaged_sessions, total_users, key_events, fetched_at)
    SELECT 'blog', '123456789', d.date, s, m, '(not set)', 100 + length(s) * 10, 60, 90, 3, now()
      FROM d, (VALUES ('google', 'organic'), ('youtube', 'referral'), ('newsletter', 'email'), ('(direct)', '(none)')) AS t(s, m) RETURNING 1)
  , ga4_log AS (
    INSERT INTO analytics.ga4_fetch_log (ga4_property_id, report, date, row_count, pages, sampled, subject_to_thresholding, data_loss_from_other_row, has_other_row, time_zone, tokens_consumed, tokens_remaining_today, fetched_at)
    SELECT '123456789', r, d.date, 120, 1, false, false, false, false, 'UTC', 10, 190000, now() FROM d, unnest(ARRAY['page', 'traffic']) r RETURNING 1)
  , clarity AS (
    INSERT INTO behaviour.clarity_page_daily (project, date, url, window_days, sessions, bot_sessions, distinct_users, pages_per_session, scroll_depth_avg,
      engagement_total_s, engagement_active_s, dead_clicks, dead_click_sessions_pct, rage_clicks, rage_click_sessions_pct, quickbacks, quickback_sessions_pct,
      excessive_scrolls, script_errors, error_clicks, fetched_at)
    SELECT 'blog', d.date, p.url, 1, 40 + p.i % 30, 2, 35, 1.8, 40 + p.i % 50, 4000, 2500, p.i % 5, 3.2, p.i % 3, 1.1, p.i % 7, 5.5, 0, p.i % 2, 0, now()
      FROM d, p RETURNING 1)
  , clarity_log AS (
    INSERT INTO behaviour.clarity_fetch_log (project, date, window_days, window_end, urls, metrics, capped_metrics, fetched_at)
    SELECT 'blog', d.date, 1, now(), ${pages}, ARRAY['Traffic'], ARRAY[]::text[], now() FROM d RETURNING 1)
  SELECT (SELECT count(*) FROM gsc_pq) + (SELECT count(*) FROM gsc_p) + (SELECT count(*) FROM ga4_p) + (SELECT count(*) FROM clarity) AS n`

const newsletterAndProduct = `
  WITH s AS (
    INSERT INTO newsletter.ml_subscribers (account, id, email, name, last_name, fields, ip_address, optin_ip, status, source, sent, opens_count, clicks_count,
      open_rate, click_rate, group_ids, subscribed_at, unsubscribed_at, opted_in_at, created_at, updated_at, seen_pass, deleted_at, fetched_at)
    SELECT 'newsletter', 'sub' || i, 'reader' || i || '@example.com', 'Reader', 'No' || i, '{}', '203.0.113.' || (i % 250), NULL,
           CASE WHEN i % 10 = 0 THEN 'unsubscribed' ELSE 'active' END, (ARRAY['api', 'form', 'import'])[1 + i % 3], 12, i % 12, i % 4,
           round(100.0 * (i % 12) / 12, 2), round(100.0 * (i % 4) / 12, 2), ARRAY['1'], now() - (i % 300) * interval '1 day', NULL, NULL,
           now() - (i % 300) * interval '1 day', now(), 'bench', NULL, now()
      FROM generate_series(1, 2400) i RETURNING 1)
  , c AS (
    INSERT INTO newsletter.ml_campaigns (account, id, name, type, status, subject, created_at, scheduled_for, started_at, finished_at, sent, opens_count,
      unique_opens_count, open_rate, clicks_count, unique_clicks_count, click_rate, unsubscribes_count, spam_count, hard_bounces_count, soft_bounces_count,
      forwards_count, click_to_open_rate, fetched_at)
    SELECT 'newsletter', 'c' || i, 'Issue ' || i, 'regular', 'sent', 'Issue ' || i, now(), now(), now() - i * interval '7 days', now() - i * interval '7 days',
           2400, 1400, 1100, 0.46, 500, 300, 0.125, 4, 0, 2, 1, 0, 0.27, now()
      FROM generate_series(1, 30) i RETURNING 1)
  SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM c) AS n`

const productRows = `
  WITH u AS (
    INSERT INTO app.users (id, email, name, created_at, updated_at)
    SELECT 'u' || i, CASE WHEN i % 3 = 0 THEN 'READER' || i || '@EXAMPLE.COM' ELSE 'user' || i || '@customers.example.org' END, 'User ' || i,
           now() - (i % 90) * interval '1 day', now()
      FROM generate_series(1, 1200) i RETURNING id)
  , s AS (
    INSERT INTO app.signups (user_id, signed_up_at, plan, utm_source, utm_medium, utm_campaign, landing_page, video_id, updated_at)
    SELECT 'u' || i, now() - (i % 90) * interval '1 day', 'free', (ARRAY['youtube', 'google', 'newsletter', NULL])[1 + i % 4], 'x', 'launch',
           '/posts/page-' || (1 + i % ${pages}), CASE WHEN i % 4 = 0 THEN 'dQw4w9WgXcQ' END, now()
      FROM generate_series(1, 1200) i RETURNING 1)
  , p AS (
    INSERT INTO app.payments (id, user_id, amount_cents, currency, status, paid_at, provider, updated_at)
    SELECT 'pi' || i, 'u' || i, 900, 'EUR', 'succeeded', now() - (i % 90) * interval '1 day', 'stripe', now() FROM generate_series(1, 1200, 4) i RETURNING 1)
  SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM p) AS n`

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.timed(effect), ([duration, value]) => ({ ms: Duration.toMillis(duration), value }))

const program = Effect.gen(function*() {
  const layout = yield* Layout
  const admin = yield* Admin
  for (const database of [layout.hubDatabase, ...layout.products.map((p) => p.database)]) {
    yield* admin.client.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
  }
  yield* provision()
  const loaded = yield* Effect.scoped(Effect.gen(function*() {
    const hub = yield* admin.connect(layout.hubDatabase)
    const product = yield* admin.connect(layout.products[0]!.database)
    const search = yield* hub.unsafe<{ n: string }>(sourcesForDays(1, days))
    const people = yield* hub.unsafe<{ n: string }>(newsletterAndProduct)
    const app = yield* product.unsafe<{ n: string }>(productRows)
    return Number(search[0]!.n) + Number(people[0]!.n) + Number(app[0]!.n)
  }))
  console.log(`source rows generated: ${loaded.toLocaleString("en")} (${pages} pages × ${days} days × 5 queries of search data; GA4 and Clarity per page and day; 2,400 subscribers; 1,200 sign-ups)`)

  const etl = runEtl.pipe(Effect.provide(Layer.merge(WarehouseWriter.layer, Pseudonymizer.layer)))
  const full = yield* timed(etl)
  const warehouseRows = full.value.reduce((sum, o) => sum + o.rows, 0)
  console.log(`full build:        ${(full.ms / 1000).toFixed(2)} s, ${warehouseRows.toLocaleString("en")} warehouse rows (${full.value.filter((o) => o.rows > 0).map((o) => `${o.model} ${o.rows}`).join(", ")})`)

  const noop = yield* timed(etl)
  console.log(`rerun, nothing new: ${(noop.ms / 1000).toFixed(2)} s, ${noop.value.reduce((s, o) => s + o.rows, 0)} rows written`)

  // One new night: today's sources (day 0), as the nightly syncs would have loaded them.
  yield* Effect.scoped(Effect.flatMap(admin.connect(layout.hubDatabase), (hub) => hub.unsafe(sourcesForDays(0, 0))))
  const incremental = yield* timed(etl)
  console.log(`incremental, one new day: ${(incremental.ms / 1000).toFixed(2)} s (target < 5 s), ${incremental.value.filter((o) => o.slices > 0).map((o) => `${o.model} ${o.slices} slices/${o.rows} rows`).join(", ")}`)

  const answers = yield* Effect.forEach(questions, (question) =>
    Effect.gen(function*() {
      const assistant = yield* Assistant
      const runs: Array<number> = []
      let rows = 0
      for (let i = 0; i < 5; i++) {
        const run = yield* timed(assistant.ask(question))
        runs.push(run.ms)
        rows = run.value.rows.length
      }
      runs.sort((a, b) => a - b)
      return { name: question.name, median: runs[2]!, max: runs[4]!, rows }
    })).pipe(Effect.provide(Assistant.layer))
  console.log("named questions as mcp_ro (5 runs each; target < 200 ms):")
  for (const a of answers) console.log(`  ${a.name.padEnd(24)} median ${a.median.toFixed(1).padStart(7)} ms, max ${a.max.toFixed(1).padStart(7)} ms, ${a.rows} rows`)
})

// A layout of its own: the bench never touches the demo's data.
const config = Layer.setConfigProvider(
  ConfigProvider.fromMap(new Map([["SOLOHUB_NAMESPACE", process.env.SOLOHUB_NAMESPACE ?? "benchetl"]])).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
)
const layer = Layer.mergeAll(Admin.layer, Layout.layer).pipe(Layer.provideMerge(Layer.merge(Cluster.layer, Layout.layer)), Layer.provide(config))
Effect.runPromise(Effect.provide(program, Layer.merge(layer, config)) as Effect.Effect<void, unknown>).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
