/**
 * A local GA4 Data API: runReport with string values, offset/limit paging and
 * rowCount, omitted defaults, metadata flags, propertyQuota, Google's error
 * envelope and fault injection (docs/sources/ga4.md §11). Data: the same small
 * blog as the Search Console server (same paths).
 */
import type { KeyObject } from "node:crypto"
import * as http from "node:http"
import { deliver, type Fault, interrupts } from "./faults.ts"
import type { Fact } from "./searchConsole.ts"
import { tokenIssuer } from "./googleToken.ts"

export type Ga4Fault = Fault | { readonly kind: "sampled" } | { readonly kind: "thresholded" }

const sources = [["google", "organic", "(organic)"], ["(direct)", "(none)", "(not set)"], ["newsletter", "email", "november-issue"], ["youtube.com", "referral", "(not set)"]] as const

export interface Ga4Server {
  readonly url: string
  readonly tokenUrl: string
  readonly faults: Array<Ga4Fault>
  readonly requests: Array<Record<string, unknown>>
  readonly close: () => Promise<void>
}

export const startGa4 = async (options: { readonly propertyId: string; readonly publicKey: KeyObject; readonly facts: ReadonlyArray<Fact>; readonly tokensPerDay?: number }): Promise<Ga4Server> => {
  const tokens = tokenIssuer(options.publicKey)
  const faults: Array<Ga4Fault> = []
  const requests: Array<Record<string, unknown>> = []
  let consumed = 0
  const server = http.createServer((req, res) => {
    let raw = ""
    req.on("data", (c) => (raw += c))
    req.on("end", () => {
      const json = (status: number, body: string, headers: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers }).end(body)
      const envelope = (code: number, status: string, message: string) => JSON.stringify({ error: { code, message, status } })
      const url = new URL(req.url ?? "/", "http://localhost")
      if (req.method === "POST" && url.pathname === "/token") {
        const answer = tokens.grant(new URLSearchParams(raw), `http://127.0.0.1:${(server.address() as { port: number }).port}/token`)
        return json(answer.status, answer.body)
      }
      if (!tokens.valid(req.headers.authorization)) return json(401, envelope(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."))
      const match = /^\/v1beta\/properties\/(\d+):runReport$/.exec(url.pathname)
      if (req.method !== "POST" || match === null) return json(404, envelope(404, "NOT_FOUND", "Not found"))
      if (match[1] !== options.propertyId) return json(403, envelope(403, "PERMISSION_DENIED", "User does not have sufficient permissions for this property."))
      const body = JSON.parse(raw) as { dateRanges: Array<{ startDate: string; endDate: string }>; dimensions: Array<{ name: string }>; metrics: Array<{ name: string }>; limit?: number; offset?: number }
      requests.push(body)
      const fault = faults.shift()
      if (fault?.kind !== "sampled" && fault?.kind !== "thresholded" && interrupts(fault, req, res, (status) => envelope(status, "INTERNAL", "Internal error"))) return
      const { startDate, endDate } = body.dateRanges[0]!
      const facts = options.facts.filter((f) => f.date >= startDate && f.date <= endDate)
      const dims = body.dimensions.map((d) => d.name)
      // Per fact: views and users from impressions; a traffic source chosen by the fact's position in the list.
      const groups = new Map<string, { keys: Array<string>; metrics: Record<string, number> }>()
      facts.forEach((f, i) => {
        const [src, medium, campaign] = sources[i % sources.length]!
        const path = new URL(f.page).pathname
        const values: Record<string, string> = { date: f.date.replaceAll("-", ""), hostName: "blog.example.com", pagePath: path, sessionSource: src, sessionMedium: medium, sessionCampaignName: campaign }
        const keys = dims.map((d) => values[d] ?? "(not set)")
        const k = keys.join("\u0000")
        const g = groups.get(k) ?? { keys, metrics: {} }
        const add = (name: string, v: number) => (g.metrics[name] = (g.metrics[name] ?? 0) + v)
        add("screenPageViews", Math.ceil(f.impressions / 10)); add("activeUsers", Math.ceil(f.impressions / 14)); add("userEngagementDuration", f.impressions * 3)
        add("eventCount", Math.ceil(f.impressions / 4)); add("keyEvents", f.clicks % 3); add("sessions", Math.ceil(f.impressions / 12))
        add("engagedSessions", Math.ceil(f.impressions / 20)); add("totalUsers", Math.ceil(f.impressions / 15))
        groups.set(k, g)
      })
      const all = [...groups.values()].sort((a, b) => (a.keys.join("|") < b.keys.join("|") ? -1 : 1))
      const offset = body.offset ?? 0
      const limit = Math.min(body.limit ?? 10_000, 250_000)
      const rows = all.slice(offset, offset + limit).map((g) => ({
        dimensionValues: g.keys.map((value) => ({ value })),
        metricValues: body.metrics.map((m) => ({ value: String(g.metrics[m.name] ?? 0) }))
      }))
      consumed += 4
      const response: Record<string, unknown> = {
        dimensionHeaders: dims.map((name) => ({ name })),
        metricHeaders: body.metrics.map((m) => ({ name: m.name, type: "TYPE_INTEGER" })),
        metadata: { currencyCode: "EUR", timeZone: "Europe/Berlin", ...(fault?.kind === "thresholded" ? { subjectToThresholding: true } : {}), ...(fault?.kind === "sampled" ? { samplingMetadatas: [{ samplesReadCount: "5000", samplingSpaceSize: "90000" }] } : {}) },
        propertyQuota: { tokensPerDay: { consumed, remaining: (options.tokensPerDay ?? 200_000) - consumed }, concurrentRequests: { remaining: 10 } },
        kind: "analyticsData#runReport"
      }
      if (rows.length > 0) response.rows = rows
      if (all.length > 0) response.rowCount = all.length
      const text = JSON.stringify(response)
      const plain = fault?.kind === "sampled" || fault?.kind === "thresholded" ? undefined : fault
      return deliver(plain, res, text, (t) => t.replace(/"metricValues":\[\{"value":"\d+"/, '"metricValues":[{"value":"lots"'), { "content-type": "application/json; charset=UTF-8" })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/v1beta`,
    tokenUrl: `http://127.0.0.1:${port}/token`,
    faults,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}
