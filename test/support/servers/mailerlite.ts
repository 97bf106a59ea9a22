/**
 * A local MailerLite API (docs/sources/mailerlite.md): bearer token, cursor
 * paging for subscribers (meta.next_cursor, filter[status]), page paging for
 * groups and campaigns (meta.current_page/last_page), the X-RateLimit-Limit /
 * X-RateLimit-Remaining headers and a 429 with Retry-After past 120 requests a
 * minute, Laravel-style error bodies ({"message": …}), and fault injection.
 * Data: a generated small newsletter.
 */
import * as http from "node:http"
import { deliver, type Fault, interrupts } from "./faults.ts"

export interface NewsletterSubscriber {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly lastName: string
  readonly status: "active" | "unsubscribed" | "unconfirmed" | "bounced" | "junk"
  readonly source: string
  readonly sent: number
  readonly opens: number
  readonly clicks: number
  readonly ip: string
  readonly subscribedAt: string
  readonly groupIds: ReadonlyArray<string>
}

const first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Donald", "Frances", "John", "Hedy", "Tim", "Katherine"]
const last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds", "Perlman", "Knuth", "Allen", "Backus", "Lamarr", "Berners-Lee", "Johnson"]
const sources = ["api", "form", "import", "landing_page"]

/** A newsletter of `count` subscribers, deterministic; group 1 is "readers", group 2 "customers". */
export const newsletterFacts = (count = 60, seed = 7): Array<NewsletterSubscriber> => {
  let state = seed
  const next = () => (state = (state * 1664525 + 1013904223) % 4294967296) / 4294967296
  return Array.from({ length: count }, (_, i) => {
    const sent = 4 + Math.floor(next() * 16)
    const opens = Math.floor(sent * next())
    const clicks = Math.floor(opens * next() * 0.6)
    const roll = next()
    const status = roll < 0.78 ? "active" : roll < 0.88 ? "unsubscribed" : roll < 0.94 ? "unconfirmed" : roll < 0.98 ? "bounced" : "junk"
    const name = first[i % first.length]!
    const surname = last[(i * 7) % last.length]!
    const day = 1 + (i % 28)
    return {
      id: String(100_000_000_000_000_00n + BigInt(i) * 7919n),
      email: `${name.toLowerCase()}.${surname.toLowerCase().replace(/[^a-z]/g, "")}${i}@example.com`,
      name,
      lastName: surname,
      status,
      source: sources[i % sources.length]!,
      sent,
      opens,
      clicks,
      ip: `203.0.113.${(i * 13) % 250 + 1}`,
      subscribedAt: `2026-${String(8 + (i % 3)).padStart(2, "0")}-${String(day).padStart(2, "0")} 0${i % 10}:15:00`,
      groupIds: i % 3 === 0 ? ["1", "2"] : ["1"]
    } satisfies NewsletterSubscriber
  })
}

export const campaignFacts = [
  { id: "7001", name: "October issue", subject: "What I learned running a blog on one Postgres", sent: 48, opens: 31, uniqueOpens: 26, clicks: 12, uniqueClicks: 9, unsubscribes: 1, finished: "2026-10-03 09:00:00" },
  { id: "7002", name: "November issue", subject: "Backups you have actually restored", sent: 50, opens: 35, uniqueOpens: 29, clicks: 15, uniqueClicks: 11, unsubscribes: 0, finished: "2026-11-07 09:00:00" },
  { id: "7003", name: "Launch announcement", subject: "The product is live", sent: 51, opens: 40, uniqueOpens: 33, clicks: 22, uniqueClicks: 18, unsubscribes: 2, finished: "2026-11-18 15:30:00" }
]

export interface MailerLiteServer {
  readonly url: string
  readonly faults: Array<Fault>
  readonly requests: Array<{ path: string; params: Record<string, string> }>
  readonly subscribers: Array<NewsletterSubscriber>
  readonly close: () => Promise<void>
}

const rate = (part: number, whole: number) => {
  const value = whole === 0 ? 0 : Math.round((10_000 * part) / whole) / 10_000
  return { float: value, string: `${(value * 100).toFixed(2)}%` }
}

export const startMailerLite = async (options: { readonly token: string; readonly subscribers: Array<NewsletterSubscriber>; readonly perMinute?: number }): Promise<MailerLiteServer> => {
  const faults: Array<Fault> = []
  const requests: MailerLiteServer["requests"] = []
  const limit = options.perMinute ?? 120
  let windowStart = Date.now()
  let used = 0
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const now = Date.now()
    if (now - windowStart >= 60_000) {
      windowStart = now
      used = 0
    }
    used++
    const rateHeaders = { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(Math.max(0, limit - used)) }
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...rateHeaders, ...headers }).end(JSON.stringify(body))
    if (req.headers.authorization !== `Bearer ${options.token}`) return json(401, { message: "Unauthenticated." })
    if (used > limit) return json(429, { message: "Too Many Attempts." }, { "retry-after": String(Math.ceil((windowStart + 60_000 - now) / 1000)) })
    const params = Object.fromEntries(url.searchParams.entries())
    requests.push({ path: url.pathname, params })
    const fault = faults.shift()
    if (interrupts(fault, req, res, (status) => JSON.stringify({ message: status >= 500 ? "Server Error" : "Error" }))) return
    const pageSize = Number(params.limit ?? "25")
    if (!(pageSize >= 0 && pageSize <= 1000)) return json(422, { message: "The limit must not be greater than 1000.", errors: { limit: ["The limit must not be greater than 1000."] } })
    const send = (body: unknown) => deliver(fault, res, JSON.stringify(body), (t) => t.replace(/"opens_count":\d+/, '"opens_count":"many"'), { ...rateHeaders })
    const paged = <T>(items: ReadonlyArray<T>) => {
      const page = Number(params.page ?? "1")
      const lastPage = Math.max(1, Math.ceil(items.length / pageSize))
      return { data: items.slice((page - 1) * pageSize, page * pageSize), links: {}, meta: { current_page: page, from: (page - 1) * pageSize + 1, last_page: lastPage, path: url.pathname, per_page: pageSize, to: Math.min(items.length, page * pageSize), total: items.length } }
    }
    if (url.pathname === "/api/subscribers") {
      const status = params["filter[status]"] ?? "active"
      const matching = options.subscribers.filter((s) => s.status === status)
      // The cursor is opaque to clients: here, base64 of the next offset.
      const offset = params.cursor === undefined ? 0 : Number(Buffer.from(params.cursor, "base64url").toString())
      if (Number.isNaN(offset)) return json(422, { message: "The cursor is invalid." })
      const slice = matching.slice(offset, offset + pageSize)
      const nextOffset = offset + pageSize < matching.length ? Buffer.from(String(offset + pageSize)).toString("base64url") : null
      return send({
        data: slice.map((s) => ({
          id: s.id,
          email: s.email,
          status: s.status,
          source: s.source,
          sent: s.sent,
          opens_count: s.opens,
          clicks_count: s.clicks,
          open_rate: s.sent === 0 ? 0 : Math.round((100 * s.opens) / s.sent),
          click_rate: s.sent === 0 ? 0 : Math.round((100 * s.clicks) / s.sent),
          ip_address: s.ip,
          subscribed_at: s.subscribedAt,
          unsubscribed_at: s.status === "unsubscribed" ? "2026-11-01 12:00:00" : null,
          created_at: s.subscribedAt,
          updated_at: "2026-11-20 08:00:00",
          fields: { name: s.name, last_name: s.lastName, company: null, country: null, city: null, phone: null, state: null, z_i_p: null },
          ...(params.include?.split(",").includes("groups") === true ? { groups: s.groupIds.map((id) => ({ id, name: id === "1" ? "readers" : "customers" })) } : {}),
          opted_in_at: s.status === "unconfirmed" ? null : s.subscribedAt,
          optin_ip: s.ip
        })),
        links: { first: null, last: null, prev: null, next: nextOffset === null ? null : `${url.origin}${url.pathname}?cursor=${nextOffset}` },
        meta: { path: url.pathname, per_page: pageSize, next_cursor: nextOffset, prev_cursor: offset === 0 ? null : "b" }
      })
    }
    if (url.pathname === "/api/groups") {
      const groups = [["1", "readers"], ["2", "customers"]].map(([id, name]) => {
        const members = options.subscribers.filter((s) => s.groupIds.includes(id!))
        const count = (status: string) => members.filter((s) => s.status === status).length
        const sent = members.reduce((sum, s) => sum + s.sent, 0)
        const opens = members.reduce((sum, s) => sum + s.opens, 0)
        const clicks = members.reduce((sum, s) => sum + s.clicks, 0)
        return {
          id, name, active_count: count("active"), sent_count: sent, opens_count: opens, open_rate: rate(opens, sent), clicks_count: clicks,
          click_rate: rate(clicks, sent), unsubscribed_count: count("unsubscribed"), unconfirmed_count: count("unconfirmed"),
          bounced_count: count("bounced"), junk_count: count("junk"), created_at: "2026-08-01 10:00:00"
        }
      })
      return send(paged(groups))
    }
    if (url.pathname === "/api/campaigns") {
      if (params["filter[status]"] !== "sent") return send(paged([]))
      return send(paged(campaignFacts.map((c) => ({
        id: c.id, account_id: "42", name: c.name, type: "regular", status: "sent", missing_data: [], settings: {},
        created_at: "2026-09-28 10:00:00", updated_at: c.finished, scheduled_for: c.finished, queued_at: c.finished, started_at: c.finished, finished_at: c.finished,
        emails: [{ id: `e${c.id}`, subject: c.subject, from: "hello@example.com", from_name: "Solo", stats: {} }],
        stats: {
          sent: c.sent, opens_count: c.opens, unique_opens_count: c.uniqueOpens, open_rate: rate(c.uniqueOpens, c.sent), clicks_count: c.clicks,
          unique_clicks_count: c.uniqueClicks, click_rate: rate(c.uniqueClicks, c.sent), unsubscribes_count: c.unsubscribes, unsubscribe_rate: rate(c.unsubscribes, c.sent),
          spam_count: 0, spam_rate: rate(0, c.sent), hard_bounces_count: 1, hard_bounce_rate: rate(1, c.sent), soft_bounces_count: 0, soft_bounce_rate: rate(0, c.sent),
          forwards_count: 0, click_to_open_rate: rate(c.uniqueClicks, c.uniqueOpens)
        }
      }))))
    }
    return json(404, { message: "Not Found" })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/api`,
    faults,
    requests,
    subscribers: options.subscribers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
