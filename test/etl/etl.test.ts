import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { afterAll } from "vitest"
import { HubWriter, WarehouseWriter } from "../../lib/db/Connections.ts"
import { Layout } from "../../lib/db/Layout.ts"
import { provision } from "../../lib/db/Provision.ts"
import { questions } from "../../lib/assistant/Questions.ts"
import { runEtl } from "../../lib/etl/Etl.ts"
import { Pseudonymizer } from "../../lib/pii/Pseudonymize.ts"
import { Product } from "../../lib/product/Product.ts"
import { sources } from "../../lib/sync/Sources.ts"
import { seedProduct, type SeededProduct } from "../support/productData.ts"
import { startDemoSources } from "../support/servers/all.ts"
import { adminOn } from "../support/sql.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const today = new Date().toISOString().slice(0, 10)
const demo = await startDemoSources({ today, days: 20, subscribers: 80 })
afterAll(() => demo.close())
const env = makeTestEnv({ ...demo.config, SOLOHUB_HTTP_RETRY_BASE_MS: "5", SOLOHUB_HTTP_RETRY_CAP_MS: "20" })
const provisioned = Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer))
const base = Layer.mergeAll(HubWriter.layer, WarehouseWriter.layer, Pseudonymizer.layer, Product.layer("demo"), NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(provisioned)
)

const syncAll = Effect.flatMap(HubWriter, (ledger) =>
  Effect.forEach(sources, (source) => source.sync({ ledger, today }).pipe(
    Effect.tap((outcome) => expect(outcome.failures, source.name).toEqual([]))
  )))

/** Every warehouse table as text rows with their xmin: what changed between two runs shows here. */
const warehouseState = Effect.scoped(Effect.gen(function*() {
  const admin = yield* adminOn()
  const tables = yield* admin<{ t: string }>`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'warehouse' AND table_type = 'BASE TABLE' AND table_name <> 'etl_cursors' ORDER BY 1`
  const state: Record<string, Array<string>> = {}
  for (const { t } of tables) {
    const rows = yield* admin.unsafe<{ r: string }>(`SELECT xmin::text || ' ' || (x.*)::text AS r FROM warehouse.${t} x ORDER BY 1`)
    state[t] = rows.map((r) => r.r)
  }
  return state
}))

let seeded: SeededProduct

layer(base, { timeout: 180_000, excludeTestServices: true })("the ETL on the demo data", (it) => {
  it.scoped("the warehouse totals equal the sources' totals, computed independently", () =>
    Effect.gen(function*() {
      yield* syncAll
      seeded = yield* seedProduct({ today, users: 45, newsletter: demo.newsletter })
      const outcomes = yield* runEtl
      expect(outcomes.filter((o) => o.slices > 0).map((o) => o.model).sort()).toEqual(
        ["bing_page_weekly", "campaigns", "data_freshness", "page_daily", "revenue_daily:demo", "search_query_daily", "signups:demo", "social_posts", "subscribers", "traffic_daily", "video_daily", "videos"]
      )
      const admin = yield* adminOn()
      const [totals] = yield* admin<Record<string, string>>`
        SELECT (SELECT sum(impressions)::text FROM search.gsc_page_daily) AS gsc_impressions,
               (SELECT sum(search_impressions)::text FROM warehouse.page_daily) AS wh_impressions,
               (SELECT sum(clicks)::text FROM search.gsc_page_query_daily) AS gsc_query_clicks,
               (SELECT sum(clicks)::text FROM warehouse.search_query_daily) AS wh_query_clicks,
               (SELECT sum(screen_page_views)::text FROM analytics.ga4_page_daily) AS ga4_views,
               (SELECT sum(views)::text FROM warehouse.page_daily) AS wh_views,
               (SELECT sum(sessions)::text FROM analytics.ga4_traffic_daily) AS ga4_sessions,
               (SELECT sum(sessions)::text FROM warehouse.traffic_daily) AS wh_sessions,
               (SELECT sum(rage_clicks)::text FROM behaviour.clarity_page_daily) AS clarity_rage,
               (SELECT sum(rage_clicks)::text FROM warehouse.page_daily) AS wh_rage,
               (SELECT count(*)::text FROM newsletter.ml_subscribers) AS subscribers,
               (SELECT count(*)::text FROM warehouse.subscribers) AS wh_subscribers,
               (SELECT count(*)::text FROM newsletter.ml_campaigns) AS campaigns,
               (SELECT count(*)::text FROM warehouse.campaigns) AS wh_campaigns,
               (SELECT sum(succeeded_cents)::text FROM warehouse.revenue_daily) AS wh_succeeded,
               (SELECT sum(refunded_cents)::text FROM warehouse.revenue_daily) AS wh_refunded,
               (SELECT count(*)::text FROM warehouse.signups) AS wh_signups,
               (SELECT sum(impressions)::text FROM search.bing_page_weekly) AS bing_impressions,
               (SELECT sum(impressions)::text FROM warehouse.bing_page_weekly) AS wh_bing_impressions,
               (SELECT sum(views)::text FROM video.yt_video_daily) AS yt_views,
               (SELECT sum(views)::text FROM warehouse.video_daily) AS wh_yt_views,
               (SELECT sum(impressions)::text FROM video.yt_reach_daily) AS yt_impressions,
               (SELECT sum(impressions)::text FROM warehouse.video_daily) AS wh_yt_impressions`
      expect(totals!.wh_impressions).toBe(totals!.gsc_impressions)
      expect(totals!.wh_query_clicks).toBe(totals!.gsc_query_clicks)
      expect(totals!.wh_views).toBe(totals!.ga4_views)
      expect(totals!.wh_sessions).toBe(totals!.ga4_sessions)
      expect(totals!.wh_rage).toBe(totals!.clarity_rage)
      expect(totals!.wh_subscribers).toBe(totals!.subscribers)
      expect(totals!.wh_campaigns).toBe(totals!.campaigns)
      expect(totals!.wh_succeeded).toBe(String(seeded.succeededCents))
      expect(totals!.wh_refunded).toBe(String(seeded.refundedCents))
      expect(totals!.wh_signups).toBe("45")
      expect(totals!.wh_bing_impressions).toBe(totals!.bing_impressions)
      expect(totals!.wh_yt_views).toBe(totals!.yt_views)
      expect(totals!.wh_yt_impressions).toBe(totals!.yt_impressions)
      // Every third user is a subscriber who typed the address in capitals: the pseudonyms still meet.
      const overlap = yield* admin<{ n: string }>`SELECT sum(also_subscribers)::text AS n FROM warehouse.cross_product_overlap`
      const activeSubscriberEmails = new Set(demo.newsletter.filter((s) => s.status === "active").map((s) => s.email.toLowerCase()))
      expect(overlap[0]!.n).toBe(String(seeded.users.filter((u) => activeSubscriberEmails.has(u.email.toLowerCase())).length))
    }))

  it.effect("a second run changes nothing: every model reports no slice and no warehouse row is rewritten", () =>
    Effect.gen(function*() {
      const before = yield* warehouseState
      const outcomes = yield* runEtl
      expect(outcomes.filter((o) => o.slices > 0)).toEqual([])
      expect(yield* warehouseState).toEqual(before)
    }))

  it.effect("after a re-sync of two days, only those days are rebuilt; everything else keeps its row versions", () =>
    Effect.gen(function*() {
      const before = yield* warehouseState
      const gsc = sources.find((s) => s.name === "search-console")!
      const day = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10)
      yield* Effect.flatMap(HubWriter, (ledger) => gsc.sync({ ledger, today, since: day(5), until: day(4) }))
      const outcomes = yield* runEtl
      // Freshness changes too: Search Console's last successful load is newer.
      expect(outcomes.filter((o) => o.slices > 0).map((o) => [o.model, o.slices])).toEqual([["page_daily", 2], ["search_query_daily", 2], ["data_freshness", 1]])
      const after = yield* warehouseState
      const untouched = (t: string) => after[t]!.filter((r) => before[t]!.includes(r)).length
      const otherDays = (t: string) => before[t]!.filter((r) => !r.includes(day(5)) && !r.includes(day(4))).length
      expect(untouched("page_daily")).toBe(otherDays("page_daily"))
      expect(after.subscribers).toEqual(before.subscribers)
    }))

  it.effect("a crash in the middle of a run leaves the previous warehouse intact; the rerun completes it", () =>
    Effect.gen(function*() {
      const product = yield* Product
      yield* product.recordSignup({ user: { id: "late-1", email: "late.arrival@example.net" }, signedUpAt: new Date(), utm: { source: "google", medium: "organic" } })
      yield* product.recordPayment({ id: "pi_late", userId: "late-1", amountCents: 1900, currency: "EUR", status: "succeeded", paidAt: new Date(), provider: "stripe" })
      const before = yield* warehouseState
      // The pseudonymizer breaks on the first key: the sign-ups model dies inside its transaction.
      const broken = Pseudonymizer.of({ key: () => { throw new Error("simulated crash") }, keyOrNull: () => null })
      const exit = yield* runEtl.pipe(Effect.provideService(Pseudonymizer, broken), Effect.exit)
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* warehouseState).toEqual(before)
      const outcomes = yield* runEtl
      expect(outcomes.find((o) => o.model === "signups:demo")!.rows).toBe(1)
      expect(outcomes.find((o) => o.model === "revenue_daily:demo")!.slices).toBe(1)
    }))

  it.scoped("a thumbnail change shows the video's click-through before and after it, from the Reporting API's days", () =>
    Effect.gen(function*() {
      const video = demo.youtube.videos[5]!
      const hub = yield* HubWriter
      const youtube = sources.find((s) => s.name === "youtube")!
      // The new image is seen by a sync; as if that sync ran ten days ago, and YouTube's reports since show the new thumbnail.
      video.thumbnail = "thumb-v2-5"
      const seen = yield* Effect.flatMap(HubWriter, (ledger) => youtube.sync({ ledger, today }))
      expect(seen.warnings).toContain(`thumbnails changed (same URL, new image): ${video.id}`)
      yield* hub`UPDATE video.yt_thumbnail_versions v SET seen_from = v.seen_from - CASE WHEN v.sha256 = l.sha256 THEN interval '10 days' ELSE interval '60 days' END
                  FROM (SELECT sha256 FROM video.yt_thumbnail_versions WHERE video_id = ${video.id} ORDER BY seen_from DESC LIMIT 1) l
                 WHERE v.video_id = ${video.id}`
      const [{ seenOn }] = (yield* hub<{ seenOn: string }>`
        SELECT to_char((max(seen_from) AT TIME ZONE 'America/Los_Angeles')::date, 'YYYY-MM-DD') AS "seenOn" FROM video.yt_thumbnail_versions WHERE video_id = ${video.id}`) as [{ seenOn: string }]
      const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
      const republish: Array<string> = []
      for (let d = shift(seenOn, -1); d <= shift(today, -2); d = shift(d, 1)) republish.push(d)
      demo.youtube.reach.publish(republish)
      const reloaded = yield* Effect.flatMap(HubWriter, (ledger) => youtube.sync({ ledger, today }))
      expect(reloaded.failures).toEqual([])
      yield* runEtl
      const admin = yield* adminOn()
      const [effect] = yield* admin<{ days_before: string; days_after: string; ctr_before: string; ctr_after: string; impressions_per_day_after: string }>`
        SELECT days_before::text, days_after::text, ctr_before::text, ctr_after::text, impressions_per_day_after::text FROM warehouse.thumbnail_effect WHERE video_id = ${video.id}`
      // Independently, from the hub's reach rows: the 7 days ending two days before the sync that saw it, and the 7
      // days from the day after it (the detection day and the day before are mixed).
      const hubWindow = (from: number, to: number) =>
        admin<{ days: string; ctr: string; impressions: string }>`
          SELECT count(*)::text AS days, round(sum(impressions * impressions_ctr) / sum(impressions), 4)::text AS ctr, round(avg(impressions), 1)::text AS impressions
            FROM video.yt_reach_daily WHERE video_id = ${video.id} AND date BETWEEN ${seenOn}::date + ${from}::int AND ${seenOn}::date + ${to}::int`
      const [[before], [after]] = [yield* hubWindow(-8, -2), yield* hubWindow(1, 7)]
      expect(effect).toEqual({ days_before: "7", days_after: "7", ctr_before: before!.ctr, ctr_after: after!.ctr, impressions_per_day_after: after!.impressions })
      expect(Number(effect!.ctr_after) - Number(effect!.ctr_before)).toBeGreaterThan(0.015)
      // The named question reads the same row.
      const asked = yield* admin.unsafe<{ video_id: string; ctr_after: string }>(questions.find((q) => q.name === "thumbnail-effect")!.sql)
      expect(asked.map((r) => r.video_id)).toContain(video.id)
    }))

  it.scoped("no personal data in the warehouse: no email, name or IP of the demo appears in any column", () =>
    Effect.gen(function*() {
      const admin = yield* adminOn()
      const needles = [
        ...demo.newsletter.flatMap((s) => [s.email, s.name + " " + s.lastName, s.lastName, s.ip]),
        ...seeded.users.flatMap((u) => [u.email, u.email.toLowerCase(), u.name]),
        "late.arrival@example.net"
      ]
      const relations = yield* admin<{ t: string }>`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'warehouse'`
      const found: Array<string> = []
      for (const { t } of relations) {
        const rows = yield* admin.unsafe<{ r: string }>(`SELECT lower(x::text) AS r FROM warehouse.${t} x`)
        for (const needle of needles) if (rows.some((r) => r.r.includes(needle.toLowerCase()))) found.push(`${t}: ${needle}`)
      }
      expect(relations.length).toBeGreaterThan(10)
      expect(found).toEqual([])
    }))

  it.effect("the ETL connects only as warehouse_writer, one connection per database", () =>
    Effect.gen(function*() {
      const layout = yield* Layout
      const writer = yield* WarehouseWriter
      const [who] = yield* writer<{ user: string }>`SELECT current_user AS user`
      expect(who!.user).toBe(layout.role("warehouse_writer"))
    }))
})
