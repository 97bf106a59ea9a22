/**
 * A local X API v2 user-posts timeline (docs/sources/x.md): bearer auth, `max_results` 5–100, `start_time` /
 * `end_time`, `pagination_token` from `meta.next_token` (absent on the last page), `data` absent when empty, the
 * x-rate-limit-limit / -remaining / -reset headers on every response, a 429 without Retry-After when the window is
 * spent, the v2 problem bodies, and the shared faults. Data: a founder's posts and threads over a few weeks.
 */
import * as http from "node:http"
import { deliver, type Fault, interrupts } from "./faults.ts"

export interface XPost {
  readonly id: string
  readonly text: string
  readonly created_at: string
  readonly conversation_id: string
  readonly in_reply_to_user_id?: string
  readonly public_metrics: { retweet_count: number; reply_count: number; like_count: number; quote_count: number; bookmark_count: number; impression_count: number }
}

/** `count` posts, newest first, one every 8 hours before `until`; in each group of five, the two newest continue
 * the third as a thread (replies to oneself in its conversation). */
export const xPosts = (userId: string, until: string, count = 60): Array<XPost> => {
  const idOf = (i: number) => String(1_800_000_000_000_000_000n + BigInt(count - i) * 1_000_003n)
  return Array.from({ length: count }, (_, i) => {
    const continuation = i % 5 === 0 || i % 5 === 1
    const start = i - (i % 5) + 2
    return {
      id: idOf(i),
      text: continuation ? `${3 - (i % 5)}/ more on the idea (post ${i})` : `Post ${i}: one PostgreSQL for a one-person company`,
      created_at: new Date(Date.parse(`${until}T12:00:00Z`) - i * 8 * 3_600_000).toISOString(),
      conversation_id: continuation && start < count ? idOf(start) : idOf(i),
      ...(continuation && start < count ? { in_reply_to_user_id: userId } : {}),
      public_metrics: { retweet_count: i % 4, reply_count: i % 3, like_count: 5 + (i * 7) % 40, quote_count: i % 2, bookmark_count: i % 5, impression_count: 300 + i * 17 }
    }
  })
}

export interface XServer {
  readonly url: string
  readonly faults: Array<Fault>
  readonly requests: Array<Record<string, string>>
  /** Requests left in the current 15-minute window (set it to 0 to make the next call a 429). */
  window: { remaining: number; resetAt: number }
  readonly close: () => Promise<void>
}

export const startX = async (options: { readonly token: string; readonly userId: string; readonly posts: ReadonlyArray<XPost>; readonly limit?: number }): Promise<XServer> => {
  const limit = options.limit ?? 900
  const state: XServer = {
    url: "",
    faults: [],
    requests: [],
    window: { remaining: limit, resetAt: Math.floor(Date.now() / 1000) + 900 },
    close: async () => {}
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    const problem = (status: number, title: string, detail: string, type: string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/problem+json", ...headers }).end(JSON.stringify({ title, detail, type, status }))
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return problem(401, "Unauthorized", "Unauthorized", "about:blank")
    }
    const now = Math.floor(Date.now() / 1000)
    if (now >= state.window.resetAt) state.window = { remaining: limit, resetAt: now + 900 }
    const rate = () => ({ "x-rate-limit-limit": String(limit), "x-rate-limit-remaining": String(Math.max(0, state.window.remaining)), "x-rate-limit-reset": String(state.window.resetAt) })
    if (state.window.remaining <= 0) {
      return res.writeHead(429, { "content-type": "application/json", ...rate() }).end(JSON.stringify({ title: "Too Many Requests", detail: "Too Many Requests", type: "about:blank", status: 429 }))
    }
    state.window.remaining--
    const params = Object.fromEntries(url.searchParams.entries())
    state.requests.push(params)
    const fault = state.faults.shift()
    if (interrupts(fault, req, res, (status) => JSON.stringify({ title: status === 503 ? "Service Unavailable" : "Internal Server Error", type: "about:blank", status }))) return
    const match = /^\/2\/users\/(\d+)\/tweets$/.exec(url.pathname)
    if (match === null) return problem(404, "Not Found Error", "Not found", "https://api.twitter.com/2/problems/resource-not-found")
    if (match[1] !== options.userId) return problem(403, "Forbidden", "You are not permitted to see this user's posts.", "https://api.twitter.com/2/problems/not-authorized-for-resource")
    const max = Number(params.max_results ?? "10")
    if (!(max >= 5 && max <= 100)) {
      return problem(400, "Invalid Request", "The `max_results` query parameter value [" + params.max_results + "] is not between 5 and 100", "https://api.twitter.com/2/problems/invalid-request")
    }
    const inWindow = options.posts.filter((p) => (params.start_time === undefined || p.created_at >= params.start_time) && (params.end_time === undefined || p.created_at < params.end_time))
    const offset = params.pagination_token === undefined ? 0 : Number(Buffer.from(params.pagination_token, "base64url").toString())
    const page = inWindow.slice(offset, offset + max)
    const next = offset + max < inWindow.length ? Buffer.from(String(offset + max)).toString("base64url") : undefined
    const body: Record<string, unknown> = {
      meta: { result_count: page.length, ...(page.length > 0 ? { newest_id: page[0]!.id, oldest_id: page[page.length - 1]!.id } : {}), ...(next === undefined ? {} : { next_token: next }) }
    }
    if (page.length > 0) body.data = page
    deliver(fault, res, JSON.stringify(body), (t) => t.replace(/"like_count":\d+/, '"like_count":"lots"'), { ...rate() })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  Object.assign(state, {
    url: `http://127.0.0.1:${port}/2`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })
  return state
}
