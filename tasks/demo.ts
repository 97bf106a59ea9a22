/**
 * `npm run demo`: the whole system on the embedded default. Starts (or reuses)
 * the embedded PostgreSQL, provisions the layout, proves a backup with a
 * restore drill (which opens the gate), syncs every source (Search Console,
 * GA4, Clarity, MailerLite) from local APIs that speak their shapes (a
 * generated small blog and newsletter), and runs the audit.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ConfigProvider, Console, Effect, Layer, Option } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { Cluster } from "../lib/db/Cluster.ts"
import { Admin, HubWriter, WarehouseWriter } from "../lib/db/Connections.ts"
import { describeLayout } from "../lib/db/Describe.ts"
import { provisionAndReport } from "../lib/db/Provision.ts"
import { runBackup, runDrill } from "../lib/ops/Backups.ts"
import { requireRestoreDrill } from "../lib/ops/Gate.ts"
import { audit } from "../security/Audit.ts"
import { compare, costsFile, formatComparison, readCosts } from "../lib/backlog/Costs.ts"
import { backlog } from "../lib/backlog/items.ts"
import { measure } from "../lib/backlog/Metrics.ts"
import { evaluate } from "../lib/backlog/Triggers.ts"
import { Layout } from "../lib/db/Layout.ts"
import { sources } from "../lib/sync/Sources.ts"
import { Assistant } from "../lib/assistant/Assistant.ts"
import { makeDisplay } from "../lib/cli/Progress.ts"
import { importFile } from "../lib/imports/Import.ts"
import * as fs from "node:fs"
import * as path from "node:path"
import { formatResult } from "../lib/assistant/Format.ts"
import { questions } from "../lib/assistant/Questions.ts"
import { runEtl } from "../lib/etl/Etl.ts"
import { Pseudonymizer } from "../lib/pii/Pseudonymize.ts"
import { Product } from "../lib/product/Product.ts"
import { seedProduct } from "../test/support/productData.ts"
import { startDemoSources } from "../test/support/servers/all.ts"

const layoutProduct = (layout: { readonly products: ReadonlyArray<{ readonly name: string }> }) => layout.products[0]?.name ?? "demo"

/** Every source's local API with ~3 months of a small blog and its newsletter, and the settings that point at them. */
const demoSources = Effect.acquireRelease(
  Effect.promise(() => startDemoSources({ today: new Date().toISOString().slice(0, 10), days: 90, subscribers: 240, initialDays: 30 })),
  (sources) => Effect.promise(sources.close)
)

const demo = Task.make(
  "demo",
  {},
  {
    description: "Run solohub end to end on the embedded PostgreSQL and show what it did.",
    ledger: "admin",
    // HubWriter connects after provisioning has created its role.
    layer: () => Admin.layer
  },
  () =>
    Effect.gen(function*() {
      const cluster = yield* Cluster
      yield* Console.log(
        cluster.embedded
          ? `PostgreSQL: embedded, 127.0.0.1:${cluster.port} (data under .solohub/)`
          : `PostgreSQL: ${cluster.host}:${cluster.port} (from SOLOHUB_ADMIN_URL)`
      )
      const report = yield* provisionAndReport()
      yield* Console.log(
        `\nProvisioning: ${report.changes.length === 0 ? "nothing to change" : `${report.changes.length} changes`}, ` +
          `${report.migrationsApplied.length} migrations applied`
      )
      yield* Console.log(yield* describeLayout)
      const newsletter = yield* Effect.provide(
        Effect.gen(function*() {
          const backup = yield* runBackup()
          const drill = yield* runDrill({ backup: Option.some(backup.id), identityFile: Option.none() })
          yield* Console.log(
            `\nBackup ${backup.id}: ${(backup.bytes / 1024).toFixed(1)} KiB, age-encrypted → ${backup.file}` +
              `\nRestore drill: passed, ${drill.tablesChecked} tables match the manifest, RTO ${drill.rtoSeconds.toFixed(1)} s — the gate is open`
          )
          yield* requireRestoreDrill({ allowUndrilled: false })
          const ledger = yield* HubWriter
          const { outcomes, newsletter } = yield* Effect.scoped(Effect.gen(function*() {
            const { config, newsletter } = yield* demoSources
            const provider = ConfigProvider.fromMap(new Map(Object.entries(config))).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
            const outcomes = yield* Effect.forEach(sources, (source) => Effect.map(source.sync({ ledger }), (outcome) => ({ source: source.name, ...outcome }))).pipe(
              Effect.withConfigProvider(provider)
            )
            // The nightly syncs reach 30 days back; the two months before come through a backfill, as on a first install.
            const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)
            for (const source of sources.filter((s) => s.name === "search-console" || s.name === "ga4")) {
              const display = makeDisplay({ label: `backfill ${source.name} ${day(90)}..${day(31)}` })
              const filled = yield* source.sync({ ledger, since: day(90), until: day(31), backfill: true, progress: display.onEvent }).pipe(Effect.withConfigProvider(provider))
              yield* Console.log(`${yield* display.finish}${filled.failures.length > 0 ? ` — ${filled.failures.length} streams failed` : ""}`)
            }
            return { outcomes, newsletter }
          }))
          const counts = yield* ledger<{ t: string; n: string }>`
            SELECT 'search.gsc_site_daily' AS t, count(*)::text AS n FROM search.gsc_site_daily
            UNION ALL SELECT 'search.gsc_page_daily', count(*)::text FROM search.gsc_page_daily
            UNION ALL SELECT 'search.gsc_query_daily', count(*)::text FROM search.gsc_query_daily
            UNION ALL SELECT 'search.gsc_page_query_daily', count(*)::text FROM search.gsc_page_query_daily
            UNION ALL SELECT 'analytics.ga4_page_daily', count(*)::text FROM analytics.ga4_page_daily
            UNION ALL SELECT 'analytics.ga4_traffic_daily', count(*)::text FROM analytics.ga4_traffic_daily
            UNION ALL SELECT 'behaviour.clarity_page_daily', count(*)::text FROM behaviour.clarity_page_daily
            UNION ALL SELECT 'newsletter.ml_subscribers', count(*)::text FROM newsletter.ml_subscribers
            UNION ALL SELECT 'newsletter.ml_campaigns', count(*)::text FROM newsletter.ml_campaigns
            UNION ALL SELECT 'newsletter.ml_groups', count(*)::text FROM newsletter.ml_groups
            UNION ALL SELECT 'search.bing_query_weekly', count(*)::text FROM search.bing_query_weekly
            UNION ALL SELECT 'search.bing_page_weekly', count(*)::text FROM search.bing_page_weekly
            UNION ALL SELECT 'social.x_posts', count(*)::text FROM social.x_posts
            UNION ALL SELECT 'social.ig_media', count(*)::text FROM social.ig_media
            UNION ALL SELECT 'video.yt_videos', count(*)::text FROM video.yt_videos
            UNION ALL SELECT 'video.yt_video_daily', count(*)::text FROM video.yt_video_daily
            UNION ALL SELECT 'video.yt_reach_daily', count(*)::text FROM video.yt_reach_daily`
          yield* Console.log(
            `\nSources from local APIs (a small blog and its newsletter), synced this run:\n` +
              outcomes.map((o) => `  ${o.source.padEnd(15)} ${String(o.rows).padStart(6)} rows${o.days > 0 ? ` over ${o.days} days` : ""}` +
                `${o.failures.length > 0 ? `, ${o.failures.length} streams failed: ${o.failures.map((f) => f.message).join("; ")}` : ""}`).join("\n") +
              "\n" + counts.map((c) => `  ${c.t.padEnd(30)} ${c.n.padStart(6)} rows`).join("\n")
          )
          return newsletter
        }),
        Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici)
      )
      // A product app's data, written through the product SDK as app_rw; then the warehouse, then the answers as mcp_ro.
      const product = layoutProduct(yield* Layout)
      const seeded = yield* seedProduct({ today: new Date().toISOString().slice(0, 10), users: 120, newsletter }).pipe(
        Effect.provide(Product.layer(product))
      )
      // The founder's own records: the sample CRM and finances files, through the importer.
      const imported = yield* Effect.forEach([["crm", "clients.csv"], ["crm", "deals.csv"], ["crm", "invoices.csv"], ["finance", "finance.csv"]] as const, ([kind, file]) =>
        Effect.flatMap(HubWriter, (sql) => importFile(sql, kind, file, fs.readFileSync(path.join("docs", "samples", file), "utf8")))
      ).pipe(Effect.provide(HubWriter.layer))
      yield* Console.log(`\nImports (npm run import, docs/samples/): ${imported.map((i) => i.alreadyImported ? `${i.file} already imported` : `${i.file} ${i.rows} rows`).join(", ")}`)
      const etl = yield* runEtl.pipe(Effect.provide(Layer.merge(WarehouseWriter.layer, Pseudonymizer.layer)))
      yield* Console.log(
        `\nProduct "${product}" (through solohub/product as app_rw): ${seeded.users.length} sign-ups with events and payments` +
          `\nETL (npm run etl, as warehouse_writer): ${etl.filter((o) => o.slices > 0).map((o) => `${o.model} ${o.rows}`).join(", ") || "nothing changed"}`
      )
      const answers = yield* Effect.forEach(questions, (question) =>
        Effect.map(Effect.flatMap(Assistant, (assistant) => assistant.ask(question)), (result) => `\n${question.title} (npm run ask -- ${question.name}):\n${formatResult({ ...result, rows: result.rows.slice(0, 8), truncated: result.rows.length > 8, rowLimit: 8 }, "table")}`)
      ).pipe(Effect.provide(Assistant.layer))
      yield* Console.log(`\nThe named questions, answered by mcp_ro from the warehouse:${answers.join("\n")}`)
      const costs = yield* readCosts(yield* costsFile)
      yield* Console.log(`\nCosts (${yield* costsFile}):\n${formatComparison(costs, compare(costs))}`)
      const triggers = yield* Effect.provide(
        Effect.gen(function*() {
          const admin = yield* Admin
          const layout = yield* Layout
          const now = new Date()
          return yield* evaluate({
            items: backlog,
            measure: (metric) => measure(metric, { layout, admin: admin.connect, local: cluster.embedded, now }),
            writer: yield* HubWriter,
            now
          })
        }),
        HubWriter.layer
      )
      const count = (status: string) => triggers.filter((t) => t.status === status).length
      yield* Console.log(
        `\nBacklog triggers (npm run triggers): ${triggers.length} items — ${count("fired")} fired, ${count("not_yet")} not yet, ` +
          `${count("not_measurable")} not measurable here` +
          (count("fired") > 0 ? `\n${triggers.filter((t) => t.status === "fired").map((t) => `  FIRED ${t.item.id} ${t.item.title}`).join("\n")}` : "")
      )
      const audited = yield* audit()
      const failed = audited.checks.filter((c) => c.status !== "pass")
      yield* Console.log(
        `\nSecurity audit: ${audited.checks.length - failed.length}/${audited.checks.length} checks passed, ` +
          `${audited.controls.filter((c) => c.status === "proven").length}/${audited.controls.length} controls proven` +
          (failed.length > 0 ? ` — FAILED: ${failed.map((c) => c.id).join(", ")} (run \`npm run audit\`)` : "")
      )
      yield* Console.log("\nConnect as the assistant:  psql \"$(npm run -s db -- url mcp_ro)\"")
    })
)

Task.main(demo, { logTo: "stderr" })
