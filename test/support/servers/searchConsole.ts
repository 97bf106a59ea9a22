/**
 * A local Search Console: the token endpoint (JWT and refresh-token grants),
 * sites.list and searchAnalytics.query with the documented shapes, offset
 * paging, omitted `rows`, Google's error envelope, and fault injection.
 * Data: a deterministic small blog (docs/sources/search-console.md §11).
 */
import type { KeyObject } from "node:crypto"
import * as http from "node:http"
import { deliver, type Fault, interrupts } from "./faults.ts"

export type { Fault }
import { tokenIssuer } from "./googleToken.ts"

export interface Fact {
  readonly date: string
  readonly page: string
  readonly query: string
  readonly clicks: number
  readonly impressions: number
  readonly position: number
}


const random = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 4294967296
  return seed / 4294967296
}

/** A small blog's search facts: `days` days ending at `lastDay`, a dozen pages, a few queries each. */
export const blogFacts = (lastDay: string, days = 20, seed = 42): Array<Fact> => {
  const next = random(seed)
  const pages = Array.from({ length: 12 }, (_, i) => `https://blog.example.com/posts/${["heros-journey", "solo-backend", "postgres-roles", "effect-intro", "newsletter-growth", "seo-basics", "no-clicks-yet", "thumbnail-tests", "cost-ceiling", "backup-drills", "mcp-assistant", "one-brain"][i]}`)
  const facts: Array<Fact> = []
  for (let d = days - 1; d >= 0; d--) {
    const date = new Date(Date.parse(`${lastDay}T00:00:00Z`) - d * 86_400_000).toISOString().slice(0, 10)
    for (const [p, page] of pages.entries()) {
      for (let q = 0; q < 5; q++) {
        const impressions = Math.floor(next() * 400) + 5
        const noClicks = page.endsWith("no-clicks-yet")
        facts.push({
          date,
          page,
          query: `${page.split("/").pop()!.replaceAll("-", " ")} ${["guide", "example", "how to", "tutorial", "2026"][q]}`,
          clicks: noClicks ? 0 : Math.floor(impressions * next() * 0.08),
          impressions,
          position: Math.round((1 + next() * 14 + p * 0.3) * 10) / 10
        })
      }
    }
  }
  return facts
}

export interface SearchConsoleServer {
  readonly url: string
  readonly tokenUrl: string
  readonly facts: Array<Fact>
  readonly faults: Array<Fault>
  readonly requests: Array<{ path: string; body: Record<string, unknown> }>
  /** Tokens the server has issued (a 401 is returned for any other). */
  readonly revokeTokens: () => void
  readonly close: () => Promise<void>
}

const envelope = (code: number, reason: string, message: string, status: string) =>
  JSON.stringify({ error: { code, message, errors: [{ message, domain: code === 403 && reason !== "forbidden" ? "usageLimits" : "global", reason }], status } })

const aggregate = (facts: ReadonlyArray<Fact>, dims: ReadonlyArray<string>) => {
  const groups = new Map<string, { keys: Array<string>; clicks: number; impressions: number; weighted: number }>()
  for (const f of facts) {
    const keys = dims.map((d) => String(f[d as keyof Fact]))
    const k = keys.join("\u0000")
    const g = groups.get(k) ?? { keys, clicks: 0, impressions: 0, weighted: 0 }
    g.clicks += f.clicks
    g.impressions += f.impressions
    g.weighted += f.position * f.impressions
    groups.set(k, g)
  }
  return [...groups.values()]
    .map((g) => ({ keys: g.keys, clicks: g.clicks, impressions: g.impressions, ctr: g.impressions === 0 ? 0 : g.clicks / g.impressions, position: g.weighted / g.impressions }))
    .sort((a, b) => b.clicks - a.clicks || (a.keys.join() < b.keys.join() ? -1 : 1))
}

export const startSearchConsole = async (options: {
  readonly sites: ReadonlyArray<string>
  readonly publicKey: KeyObject
  readonly refreshToken?: string
  readonly facts: Array<Fact>
  /** Days after this are incomplete (not final). */
  readonly finalUntil: string
}): Promise<SearchConsoleServer> => {
  const faults: Array<Fault> = []
  const requests: Array<{ path: string; body: Record<string, unknown> }> = []
  const tokens = tokenIssuer(options.publicKey, options.refreshToken)
  const server = http.createServer((req, res) => {
    let raw = ""
    req.on("data", (c) => (raw += c))
    req.on("end", () => {
      const json = (status: number, body: string, headers: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers }).end(body)
      const url = new URL(req.url ?? "/", "http://localhost")
      if (req.method === "POST" && url.pathname === "/token") {
        const answer = tokens.grant(new URLSearchParams(raw), `http://127.0.0.1:${(server.address() as { port: number }).port}/token`)
        return json(answer.status, answer.body)
      }
      if (!tokens.valid(req.headers.authorization)) return json(401, envelope(401, "authError", "Invalid Credentials", "UNAUTHENTICATED"))
      if (req.method === "GET" && url.pathname === "/webmasters/v3/sites") {
        return json(200, JSON.stringify({ siteEntry: options.sites.map((siteUrl) => ({ siteUrl, permissionLevel: "siteFullUser" })) }))
      }
      const match = /^\/webmasters\/v3\/sites\/([^/]+)\/searchAnalytics\/query$/.exec(url.pathname)
      if (req.method !== "POST" || match === null) return json(404, envelope(404, "notFound", "Not Found", "NOT_FOUND"))
      const site = decodeURIComponent(match[1]!)
      const body = JSON.parse(raw || "{}") as { startDate?: string; endDate?: string; dimensions?: Array<string>; dataState?: string; rowLimit?: number; startRow?: number }
      requests.push({ path: url.pathname, body })
      const fault = faults.shift()
      if (interrupts(fault, req, res, (status) => envelope(status, "backendError", "Backend Error", "INTERNAL"), "application/json; charset=UTF-8")) return
      if (!options.sites.includes(site)) return json(403, envelope(403, "forbidden", `User does not have sufficient permission for site '${site}'.`, "PERMISSION_DENIED"))
      const rowLimit = body.rowLimit ?? 1000
      if (rowLimit < 1 || rowLimit > 25000 || !body.startDate || !body.endDate) return json(400, envelope(400, "badRequest", "Invalid request", "INVALID_ARGUMENT"))
      const dims = (body.dimensions ?? []).map((d) => d.toLowerCase())
      const lastDay = body.dataState === "all" ? "9999-12-31" : options.finalUntil
      const inRange = options.facts.filter((f) => f.date >= body.startDate! && f.date <= body.endDate! && f.date <= lastDay)
      const all = aggregate(inRange, dims)
      const rows = all.slice(body.startRow ?? 0, (body.startRow ?? 0) + rowLimit)
      const response: Record<string, unknown> = { responseAggregationType: dims.includes("page") ? "byPage" : "byProperty" }
      if (rows.length > 0) response.rows = rows
      if (body.dataState === "all" && dims.includes("date") && body.endDate > options.finalUntil) {
        const next = new Date(Date.parse(`${options.finalUntil}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
        response.metadata = { first_incomplete_date: next }
      }
      const text = JSON.stringify(response)
      return deliver(fault, res, text, (t) => t.replace(/"clicks":\d+/, '"clicks":"many"'), { "content-type": "application/json; charset=UTF-8" })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/webmasters/v3`,
    tokenUrl: `http://127.0.0.1:${port}/token`,
    facts: options.facts,
    faults,
    requests,
    revokeTokens: tokens.revokeAll,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
