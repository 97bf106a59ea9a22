/**
 * `npm run utm-check -- <url>`: tags the link with a campaign of its own, follows its redirects and says where the
 * UTM parameters are dropped (exit 3 when they are); then prints the link to open once in a browser.
 * `npm run utm-check -- --verify`: looks for every open check's campaign in GA4's sessions (exit 3 when one never
 * arrived). docs/attribution.md.
 */
import { Args, Options } from "@effect/cli"
import { NodeHttpClient } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"
import { campaignProblem, newCampaign, record, scrubbed, tagUrl, trace, verify } from "../lib/attribution/UtmCheck.ts"
import * as Task from "../lib/cli/Task.ts"
import { HubWriter } from "../lib/db/Connections.ts"
import { retryPolicyConfig } from "../lib/http/Retry.ts"

const url = Args.text({ name: "url" }).pipe(Args.withDescription("The page a campaign links to (https://…)"), Args.optional)
const source = Options.text("source").pipe(Options.withDefault("solohub"), Options.withDescription("utm_source of the check"))
const medium = Options.text("medium").pipe(Options.withDefault("check"), Options.withDescription("utm_medium of the check"))
const campaign = Options.text("campaign").pipe(Options.optional, Options.withDescription("utm_campaign (default: a new unique name)"))
const verifyOnly = Options.boolean("verify").pipe(Options.withDescription("Look for the open checks' campaigns in GA4"))

const command = Task.make(
  "utm-check",
  { url, source, medium, campaign, verify: verifyOnly },
  {
    description: "Check that a tagged link keeps its UTM parameters through its redirects, and later that the visit reached GA4.",
    layer: () => Layer.merge(HubWriter.layer, NodeHttpClient.layerUndici)
  },
  (config) =>
    Effect.gen(function*() {
      const run = yield* Task.TaskRun
      const sql = yield* HubWriter
      const now = new Date()
      if (config.verify || Option.isNone(config.url)) {
        const results = yield* verify(sql, now)
        if (results.length === 0) yield* Console.log("no open UTM check: start one with npm run utm-check -- <url>")
        for (const r of results) yield* Console.log(`${r.state.padEnd(8)} ${r.message}`)
        for (const r of results.filter((r) => r.state === "missing")) yield* run.attention(r.message)
        return
      }
      if (!URL.canParse(config.url.value) || !/^https?:$/.test(new URL(config.url.value).protocol)) {
        return yield* Effect.fail(new Error(`not an http(s) URL: ${config.url.value}`))
      }
      const tags = { source: config.source, medium: config.medium, campaign: Option.getOrElse(config.campaign, newCampaign) }
      const unusable = campaignProblem(tags.campaign)
      if (unusable !== undefined) return yield* Effect.fail(new Error(unusable))
      const policy = yield* retryPolicyConfig
      const result = scrubbed(yield* trace(tagUrl(config.url.value, tags), { timeoutMillis: policy.timeoutMillis }))
      for (const hop of result.hops) {
        yield* Console.log(`  ${String(hop.status).padStart(3)} ${hop.url}${hop.missing.length > 0 ? `   (missing: ${hop.missing.join(", ")})` : ""}`)
      }
      yield* record(sql, config.url.value, tags, result, now)
      yield* run.addRows(1)
      if (!result.kept) {
        const what = result.outcome === "dropped" ? "the parameters do not survive" : "the check could not finish"
        yield* run.attention(`UTM check ${tags.campaign}: ${what}: ${result.problem}`)
        yield* Console.log(`\n${what}: ${result.problem}`)
        return
      }
      yield* Console.log(
        `\nthe parameters survive every redirect. Now open this link once in a browser (it is one real visit):\n  ${result.taggedUrl}\n` +
          `then, after the next GA4 sync has loaded that day: npm run utm-check -- --verify`
      )
    })
)

Task.main(command)
