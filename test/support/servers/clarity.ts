/**
 * A local Clarity Data Export API (docs/sources/clarity.md): one GET
 * operation, a project-scoped bearer token, numOfDays 1–3 relative to "now",
 * up to three dimensions, the 1,000-row cap, 10 calls per project per day
 * (then 429 "Exceeded daily limit"), and the documented sample's mix of
 * numeric strings and numbers. Data: per page and day, derived from the same
 * small blog as the Search Console server.
 */
import * as http from "node:http"
import { deliver, type Fault, interrupts } from "./faults.ts"
import type { Fact } from "./searchConsole.ts"

export interface ClarityServer {
  readonly url: string
  readonly faults: Array<Fault>
  readonly requests: Array<{ project: string; numOfDays: string | null; dimension1: string | null }>
  /** Calls counted against each project today (what Clarity's own counter would say). */
  readonly callsToday: Map<string, number>
  readonly newDay: () => void
  readonly close: () => Promise<void>
}

/** Per page and day: the behaviour figures the server reports (derived deterministically from search facts). */
export const behaviourOf = (facts: ReadonlyArray<Fact>) => {
  const byPageDay = new Map<string, { date: string; url: string; sessions: number; bots: number; users: number; scroll: number; total: number; active: number; dead: number; rage: number; quick: number; errors: number }>()
  for (const f of facts) {
    const key = `${f.date} ${f.page}`
    const current = byPageDay.get(key) ?? { date: f.date, url: f.page, sessions: 0, bots: 0, users: 0, scroll: 0, total: 0, active: 0, dead: 0, rage: 0, quick: 0, errors: 0 }
    current.sessions += Math.ceil(f.impressions / 12)
    current.bots += f.impressions % 3
    current.users += Math.ceil(f.impressions / 15)
    current.total += f.impressions * 3
    current.active += f.impressions * 2
    current.dead += f.clicks % 4
    current.rage += f.page.endsWith("no-clicks-yet") ? 3 : f.clicks % 2
    current.quick += Math.floor(f.impressions / 90)
    current.errors += f.position > 12 ? 1 : 0
    byPageDay.set(key, current)
  }
  for (const row of byPageDay.values()) row.scroll = 40 + (row.sessions % 50)
  return [...byPageDay.values()]
}

const dimensions = ["Browser", "Device", "Country/Region", "OS", "Source", "Medium", "Campaign", "Channel", "URL"]

export const startClarity = async (options: {
  /** project name → its token */
  readonly tokens: Record<string, string>
  readonly facts: ReadonlyArray<Fact>
  /** "Today" as the server sees it: the window is the numOfDays days before it. */
  readonly today: string
  readonly dailyLimit?: number
}): Promise<ClarityServer> => {
  const faults: Array<Fault> = []
  const requests: ClarityServer["requests"] = []
  const callsToday = new Map<string, number>()
  const rows = behaviourOf(options.facts)
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const text = (status: number, body: string) => res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body)
    if (req.method !== "GET" || url.pathname !== "/export-data/api/v1/project-live-insights") return text(404, "Not Found")
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]
    const project = Object.entries(options.tokens).find(([, t]) => t === token)?.[0]
    if (project === undefined) return text(401, "Unauthorized")
    // Every request counts, failed ones included.
    const used = (callsToday.get(project) ?? 0) + 1
    callsToday.set(project, used)
    requests.push({ project, numOfDays: url.searchParams.get("numOfDays"), dimension1: url.searchParams.get("dimension1") })
    if (used > (options.dailyLimit ?? 10)) return text(429, "Exceeded daily limit")
    const fault = faults.shift()
    if (interrupts(fault, req, res, () => "")) return
    const numOfDays = url.searchParams.get("numOfDays")
    const asked = [1, 2, 3].map((i) => url.searchParams.get(`dimension${i}`)).filter((d): d is string => d !== null)
    if (!["1", "2", "3"].includes(numOfDays ?? "") || asked.some((d) => !dimensions.includes(d)) || url.searchParams.has("dimension4")) {
      return text(400, "BadRequest")
    }
    const from = new Date(Date.parse(`${options.today}T00:00:00Z`) - Number(numOfDays) * 86_400_000).toISOString().slice(0, 10)
    const inWindow = rows.filter((r) => r.date >= from && r.date < options.today)
    const byUrl = new Map<string, (typeof rows)[number]>()
    for (const r of inWindow) {
      const sum = byUrl.get(r.url) ?? { ...r, sessions: 0, bots: 0, users: 0, scroll: 0, total: 0, active: 0, dead: 0, rage: 0, quick: 0, errors: 0 }
      for (const k of ["sessions", "bots", "users", "total", "active", "dead", "rage", "quick", "errors"] as const) sum[k] += r[k]
      sum.scroll = r.scroll
      byUrl.set(r.url, sum)
    }
    const perUrl = asked.includes("URL") ? [...byUrl.values()] : []
    const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((10_000 * part) / whole) / 100)
    const click = (metricName: string, pick: (r: (typeof perUrl)[number]) => number) => ({
      metricName,
      information: perUrl.slice(0, 1000).map((r) => ({
        sessionsCount: String(r.sessions),
        sessionsWithMetricPercentage: pct(Math.min(pick(r), r.sessions), r.sessions),
        sessionsWithoutMetricPercentage: pct(r.sessions - Math.min(pick(r), r.sessions), r.sessions),
        pagesViews: String(r.sessions * 2),
        subTotal: String(pick(r)),
        Url: r.url
      }))
    })
    const body = [
      {
        metricName: "Traffic",
        information: perUrl.slice(0, 1000).map((r) => ({
          totalSessionCount: String(r.sessions),
          totalBotSessionCount: String(r.bots),
          distantUserCount: String(r.users),
          PagesPerSessionPercentage: Math.round((r.sessions * 2 * 1000) / Math.max(1, r.sessions)) / 1000,
          Url: r.url
        }))
      },
      { metricName: "ScrollDepth", information: perUrl.slice(0, 1000).map((r) => ({ averageScrollDepth: r.scroll, Url: r.url })) },
      { metricName: "EngagementTime", information: perUrl.slice(0, 1000).map((r) => ({ totalTime: String(r.total), activeTime: String(r.active), Url: r.url })) },
      click("DeadClickCount", (r) => r.dead),
      click("RageClickCount", (r) => r.rage),
      click("QuickbackClick", (r) => r.quick),
      click("ExcessiveScroll", () => 0),
      click("ScriptErrorCount", (r) => r.errors),
      click("ErrorClickCount", () => 0),
      { metricName: "PopularPages", information: perUrl.slice(0, 10).map((r) => ({ url: r.url, visitsCount: String(r.sessions) })) }
    ]
    deliver(fault, res, JSON.stringify(body), (t) => t.replace(/"totalSessionCount":"\d+"/, '"totalSessionCount":{"value":1}'), { "content-type": "application/json; charset=utf-8" })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/export-data/api/v1`,
    faults,
    requests,
    callsToday,
    newDay: () => callsToday.clear(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
