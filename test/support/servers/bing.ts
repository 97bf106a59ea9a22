/**
 * A local Bing Webmaster Tools JSON API (docs/sources/bing.md): GetQueryStats and GetPageStats with the `apikey`
 * query parameter, the `{"d": […]}` envelope with `__type` tags, weekly buckets stamped as Microsoft JSON dates
 * (`/Date(ms-0800)/`, Pacific midnight), API faults as `{"ErrorCode": n, "Message": "ERROR!!! …"}`, and the shared
 * faults. Data: the small blog's search facts, summed per week.
 */
import * as http from "node:http"
import { deliver, type Fault, interrupts } from "./faults.ts"
import type { Fact } from "./searchConsole.ts"

export interface BingServer {
  readonly url: string
  readonly faults: Array<Fault>
  readonly requests: Array<{ method: string; siteUrl: string | null }>
  readonly close: () => Promise<void>
}

/** The Monday that starts a fact's week: Bing's weekly bucket. */
export const weekOf = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`)
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10)
}

/** Pacific midnight of a day as Bing writes it: epoch ms of that instant, and the offset (-0800 in winter, -0700 in summer). */
export const msDateOf = (day: string) => {
  const month = Number(day.slice(5, 7))
  const offsetHours = month >= 4 && month <= 10 ? 7 : 8
  return `/Date(${Date.parse(`${day}T00:00:00Z`) + offsetHours * 3_600_000}-0${offsetHours}00)/`
}

export const weeklyStats = (facts: ReadonlyArray<Fact>, key: "query" | "page") => {
  const groups = new Map<string, { week: string; key: string; clicks: number; impressions: number; weighted: number }>()
  for (const f of facts) {
    const week = weekOf(f.date)
    const k = `${week}\u0000${f[key]}`
    const g = groups.get(k) ?? { week, key: f[key], clicks: 0, impressions: 0, weighted: 0 }
    g.clicks += Math.floor(f.clicks / 3)
    g.impressions += Math.floor(f.impressions / 4)
    g.weighted += (f.position + 0.4) * Math.floor(f.impressions / 4)
    groups.set(k, g)
  }
  return [...groups.values()].filter((g) => g.impressions > 0)
}

export const startBing = async (options: { readonly apiKey: string; readonly sites: ReadonlyArray<string>; readonly facts: ReadonlyArray<Fact> }): Promise<BingServer> => {
  const faults: Array<Fault> = []
  const requests: BingServer["requests"] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const fault = (status: number, code: number, name: string) =>
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ ErrorCode: code, Message: `ERROR!!! ${name}` }))
    const method = /^\/webmaster\/api\.svc\/json\/(\w+)$/.exec(url.pathname)?.[1]
    if (method === undefined) return res.writeHead(404).end()
    if (url.searchParams.get("apikey") !== options.apiKey) return fault(400, 3, "InvalidApiKey")
    const siteUrl = url.searchParams.get("siteUrl")
    requests.push({ method, siteUrl })
    const injected = faults.shift()
    if (interrupts(injected, req, res, (status) => JSON.stringify({ ErrorCode: status === 429 ? 4 : 1, Message: status === 429 ? "ERROR!!! ThrottleUser" : "ERROR!!! InternalError" }))) return
    if (siteUrl === null || !options.sites.includes(siteUrl)) return fault(400, 14, "NotAuthorized")
    if (method !== "GetQueryStats" && method !== "GetPageStats") return fault(400, 8, "InvalidParameter")
    const stats = weeklyStats(options.facts, method === "GetQueryStats" ? "query" : "page")
    const body = {
      d: stats.map((g) => ({
        __type: "QueryStats:#Microsoft.Bing.Webmaster.Api",
        AvgClickPosition: Math.round((g.weighted / g.impressions) * 10) / 10,
        AvgImpressionPosition: Math.round((g.weighted / g.impressions + 0.6) * 10) / 10,
        Clicks: g.clicks,
        Date: msDateOf(g.week),
        Impressions: g.impressions,
        Query: g.key
      }))
    }
    deliver(injected, res, JSON.stringify(body), (t) => t.replace(/"Clicks":\d+/, '"Clicks":"many"'), { "content-type": "application/json; charset=utf-8" })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/webmaster/api.svc/json`,
    faults,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
