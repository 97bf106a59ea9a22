import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"
import { HubWriter, WarehouseWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { roleUrl } from "../../lib/db/Urls.ts"
import { runEtl } from "../../lib/etl/Etl.ts"
import { Pseudonymizer } from "../../lib/pii/Pseudonymize.ts"
import { Product } from "../../lib/product/Product.ts"
import { sources } from "../../lib/sync/Sources.ts"
import { seedProduct } from "../support/productData.ts"
import { startDemoSources } from "../support/servers/all.ts"
import { ytVideos } from "../support/servers/youtube.ts"
import { cleanEnv, runTask } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const today = new Date().toISOString().slice(0, 10)
const demo = await startDemoSources({ today, days: 20, subscribers: 60 })
afterAll(() => demo.close())
const env = makeTestEnv(demo.config)
const base = Layer.mergeAll(HubWriter.layer, WarehouseWriter.layer, Pseudonymizer.layer, Product.layer("demo"), NodeHttpClient.layerUndici).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "solohub-mcp-")), "audit.jsonl")

type Answer = { content: Array<{ type: string; text: string }>; isError?: boolean }
const text = (answer: unknown) => (answer as Answer).content.map((c) => c.text).join("\n")

layer(base, { timeout: 180_000, excludeTestServices: true })("the MCP server, from a real MCP client over stdio", (it) => {
  it.effect("lists its tools, answers a named question and a free query, and refuses raw schemas and personal data", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(HubWriter, (ledger) => Effect.forEach(sources, (s) => s.sync({ ledger, today })))
      yield* seedProduct({ today, users: 30, newsletter: demo.newsletter })
      yield* runEtl
      // The assistant's machine gets mcp_ro's URL and nothing else: no admin URL, no other password.
      const assistantUrl = Redacted.value(yield* roleUrl("mcp_ro"))
      const transport = new StdioClientTransport({
        command: path.resolve("node_modules/.bin/tsx"),
        args: ["tasks/mcp.ts"],
        env: cleanEnv({ SOLOHUB_ASSISTANT_URL: assistantUrl, SOLOHUB_ASSISTANT_AUDIT_FILE: auditFile }) as Record<string, string>,
        stderr: "pipe"
      })
      const client = new Client({ name: "solohub-test", version: "1.0.0" })
      yield* Effect.promise(() => client.connect(transport))
      try {
        const tools = yield* Effect.promise(() => client.listTools())
        expect(tools.tools.map((t) => t.name).sort()).toEqual(["ask", "describe_model", "list_models", "query"])

        const models = text(yield* Effect.promise(() => client.callTool({ name: "list_models", arguments: {} })))
        expect(models).toContain("page_scorecard_28d (view (a named question)): The page scorecard")
        expect(models).not.toContain("etl_cursors")
        expect(models).toContain("video_performance_28d (view (a named question)): Each video over the last 28 days")
        const video = text(yield* Effect.promise(() => client.callTool({ name: "describe_model", arguments: { name: "video_daily" } })))
        expect(video).toContain("- impressions_ctr numeric — Share of those impressions that led to a view")
        const performance = yield* Effect.promise(() => client.callTool({ name: "ask", arguments: { question: "video-performance" } }))
        expect((performance as Answer).isError).toBeFalsy()
        expect(text(performance)).toMatch(/impressions[\s\S]*ctr/)

        const described = text(yield* Effect.promise(() => client.callTool({ name: "describe_model", arguments: { name: "subscribers" } })))
        expect(described).toContain("- person_key text — Keyed HMAC pseudonym")

        const named = yield* Effect.promise(() => client.callTool({ name: "ask", arguments: { question: "seo-opportunities" } }))
        expect((named as Answer).isError).toBeFalsy()
        expect(text(named)).toMatch(/SEO opportunities[\s\S]*extra_clicks_at_top3/)

        const free = yield* Effect.promise(() => client.callTool({
          name: "query",
          arguments: { sql: "SELECT page_path, sum(search_clicks) AS clicks FROM warehouse.page_daily WHERE property = 'blog' GROUP BY 1 ORDER BY 2 DESC, 1", max_rows: 3 }
        }))
        const parsed = JSON.parse(text(free)) as { columns: Array<string>; rows: Array<Record<string, unknown>>; truncated: boolean }
        expect(parsed.columns).toEqual(["page_path", "clicks"])
        expect(parsed.rows).toHaveLength(3)
        expect(parsed.truncated).toBe(true)

        const raw = yield* Effect.promise(() => client.callTool({ name: "query", arguments: { sql: "SELECT * FROM newsletter.ml_subscribers" } }))
        expect((raw as Answer).isError).toBe(true)
        expect(text(raw)).toContain("not available to the assistant")
        const pii = yield* Effect.promise(() => client.callTool({ name: "query", arguments: { sql: "SELECT email, ip_address FROM newsletter.ml_subscribers LIMIT 1" } }))
        expect((pii as Answer).isError).toBe(true)
        expect(text(pii)).toContain("not available to the assistant")
        expect(text(pii)).not.toMatch(/@example\.com|203\.0\.113/)

        for (const attack of ["DELETE FROM warehouse.page_daily", "SELECT 1; DELETE FROM warehouse.page_daily", "WITH d AS (DELETE FROM warehouse.page_daily RETURNING 1) SELECT * FROM d"]) {
          const refused = yield* Effect.promise(() => client.callTool({ name: "query", arguments: { sql: attack } }))
          expect((refused as Answer).isError, attack).toBe(true)
        }
        const still = JSON.parse(text(yield* Effect.promise(() => client.callTool({ name: "query", arguments: { sql: "SELECT count(*) AS n FROM warehouse.page_daily" } })))) as { rows: Array<{ n: string }> }
        expect(Number(still.rows[0]!.n)).toBeGreaterThan(0)
      } finally {
        yield* Effect.promise(() => client.close())
      }
      // The audit log has every query, as a fingerprint: no literal value.
      const audit = fs.readFileSync(auditFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { tool: string; query: string; outcome: string })
      expect(audit.some((a) => a.tool === "ask:seo-opportunities" && a.outcome === "ok")).toBe(true)
      expect(audit.some((a) => a.outcome === "NotAvailable")).toBe(true)
      expect(audit.find((a) => a.query.includes("property = ?"))).toBeDefined()
      expect(fs.readFileSync(auditFile, "utf8")).not.toContain("'blog'")
    }))

  it.effect("npm run ask prints a named question as a table, JSON or CSV, as mcp_ro", () =>
    Effect.gen(function*() {
      const assistantUrl = Redacted.value(yield* roleUrl("mcp_ro"))
      const table = yield* Effect.promise(() => runTask("tasks/ask.ts", ["newsletter-segments"], { SOLOHUB_ASSISTANT_URL: assistantUrl }))
      expect(table.code, table.stderr).toBe(0)
      expect(table.stdout).toMatch(/Newsletter subscribers by segment[\s\S]*segment[\s\S]*champion|engaged|casual/)
      const json = yield* Effect.promise(() => runTask("tasks/ask.ts", ["data-freshness", "--format", "json"], { SOLOHUB_ASSISTANT_URL: assistantUrl }))
      expect((JSON.parse(json.stdout) as { columns: Array<string> }).columns).toContain("newest_day")
      const csv = yield* Effect.promise(() => runTask("tasks/ask.ts", ["acquisition", "--format", "csv"], { SOLOHUB_ASSISTANT_URL: assistantUrl }))
      expect(csv.stdout.split("\n")[0]).toBe("product,source,medium,campaign,video_id,video_title,signups,first_signup,last_signup")
      // Attribution by video id, with the video's current title from the YouTube sync.
      const [first] = ytVideos(today, 1)
      expect(csv.stdout).toContain(`youtube,video,launch,${first!.id},${first!.title}`)
    }))
})
