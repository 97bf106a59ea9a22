/**
 * `npm run demo`: the whole system on the embedded default. Starts (or reuses)
 * the embedded PostgreSQL, provisions the layout, proves a backup with a
 * restore drill (which opens the gate), syncs every source (Search Console,
 * GA4, Clarity, MailerLite) from local APIs that speak their shapes (a
 * generated small blog and newsletter), and runs the audit.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ConfigProvider, Console, Effect, Layer, Option } from "effect"
import { generateKeyPairSync } from "node:crypto"
import * as Task from "../lib/cli/Task.ts"
import { Cluster } from "../lib/db/Cluster.ts"
import { Admin, HubWriter } from "../lib/db/Connections.ts"
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
import { startClarity } from "../test/support/servers/clarity.ts"
import { startGa4 } from "../test/support/servers/ga4.ts"
import { newsletterFacts, startMailerLite } from "../test/support/servers/mailerlite.ts"
import { blogFacts, startSearchConsole } from "../test/support/servers/searchConsole.ts"

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

/** Every source for the demo: local APIs with ~3 months of a small blog and its newsletter, and credentials they accept. */
const demoSources = Effect.acquireRelease(
  Effect.promise(async () => {
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048 })
    const siteUrl = "sc-domain:blog.example.com"
    const facts = blogFacts(daysAgo(1), 90)
    const server = await startSearchConsole({ sites: [siteUrl], publicKey: keys.publicKey, facts, finalUntil: daysAgo(3) })
    const ga4 = await startGa4({ propertyId: "123456789", publicKey: keys.publicKey, facts })
    const clarity = await startClarity({ tokens: { blog: "demo-clarity-token" }, facts, today: daysAgo(0) })
    const mailerlite = await startMailerLite({ token: "demo-mailerlite-token", subscribers: newsletterFacts(240) })
    const key = JSON.stringify({ client_email: "demo@solohub.iam.gserviceaccount.com", private_key: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString() })
    const config = new Map([
      ["SOLOHUB_GA4_PROPERTIES", "blog=123456789"],
      ["SOLOHUB_GA4_SERVICE_ACCOUNT_JSON", key],
      ["SOLOHUB_GA4_BASE_URL", ga4.url],
      ["SOLOHUB_GA4_TOKEN_URL", ga4.tokenUrl],
      ["SOLOHUB_GA4_INITIAL_DAYS", "90"],
      ["SOLOHUB_GSC_SITES", `blog=${siteUrl}`],
      ["SOLOHUB_GSC_SERVICE_ACCOUNT_JSON", key],
      ["SOLOHUB_GSC_BASE_URL", server.url],
      ["SOLOHUB_GSC_TOKEN_URL", server.tokenUrl],
      ["SOLOHUB_GSC_INITIAL_DAYS", "90"],
      ["SOLOHUB_CLARITY_PROJECTS", "blog"],
      ["SOLOHUB_CLARITY_TOKEN_BLOG", "demo-clarity-token"],
      ["SOLOHUB_CLARITY_BASE_URL", clarity.url],
      ["SOLOHUB_MAILERLITE_TOKEN", "demo-mailerlite-token"],
      ["SOLOHUB_MAILERLITE_BASE_URL", mailerlite.url]
    ])
    return { config, close: () => Promise.all([server.close(), ga4.close(), clarity.close(), mailerlite.close()]) }
  }),
  ({ close }) => Effect.promise(close)
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
      yield* Effect.provide(
        Effect.gen(function*() {
          const backup = yield* runBackup()
          const drill = yield* runDrill({ backup: Option.some(backup.id), identityFile: Option.none() })
          yield* Console.log(
            `\nBackup ${backup.id}: ${(backup.bytes / 1024).toFixed(1)} KiB, age-encrypted → ${backup.file}` +
              `\nRestore drill: passed, ${drill.tablesChecked} tables match the manifest, RTO ${drill.rtoSeconds.toFixed(1)} s — the gate is open`
          )
          yield* requireRestoreDrill({ allowUndrilled: false })
          const ledger = yield* HubWriter
          const outcomes = yield* Effect.scoped(Effect.gen(function*() {
            const { config } = yield* demoSources
            const provider = ConfigProvider.fromMap(config).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
            return yield* Effect.forEach(sources, (source) => Effect.map(source.sync({ ledger }), (outcome) => ({ source: source.name, ...outcome }))).pipe(
              Effect.withConfigProvider(provider)
            )
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
            UNION ALL SELECT 'newsletter.ml_groups', count(*)::text FROM newsletter.ml_groups`
          yield* Console.log(
            `\nSources from local APIs (a small blog and its newsletter), synced this run:\n` +
              outcomes.map((o) => `  ${o.source.padEnd(15)} ${String(o.rows).padStart(6)} rows${o.days > 0 ? ` over ${o.days} days` : ""}` +
                `${o.failures.length > 0 ? `, ${o.failures.length} streams failed: ${o.failures.map((f) => f.message).join("; ")}` : ""}`).join("\n") +
              "\n" + counts.map((c) => `  ${c.t.padEnd(30)} ${c.n.padStart(6)} rows`).join("\n")
          )
        }),
        Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici)
      )
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
