/**
 * A local Instagram Graph API (docs/sources/instagram.md): media paged by cursors, per-media insights where a
 * deprecated metric fails the whole request with error code 100, comments that come back empty in development mode
 * while `comments_count` says otherwise, Graph error bodies, the X-Business-Use-Case-Usage header, and the shared
 * faults. Data: a few weeks of an account's posts.
 */
import * as http from "node:http"
import { deliver, type Fault, interrupts } from "./faults.ts"

export interface IgMedia {
  readonly id: string
  readonly caption: string
  readonly media_type: string
  readonly timestamp: string
  readonly like_count: number
  readonly comments: ReadonlyArray<{ id: string; text: string; username: string; timestamp: string }>
}

export const igMedia = (until: string, count = 24): Array<IgMedia> =>
  Array.from({ length: count }, (_, i) => {
    const timestamp = new Date(Date.parse(`${until}T09:00:00Z`) - i * 2 * 86_400_000).toISOString().replace(".000Z", "+0000")
    return {
      id: String(17_900_000_000_000_000n + BigInt(count - i)),
      caption: `Behind the scenes #${i}`,
      media_type: i % 3 === 0 ? "VIDEO" : "IMAGE",
      timestamp,
      like_count: 20 + (i * 11) % 90,
      comments: Array.from({ length: i % 4 }, (_, k) => ({ id: `c${i}-${k}`, text: `Great post ${k}!`, username: `fan_${(i + k) % 9}`, timestamp }))
    }
  })

export interface InstagramServer {
  readonly url: string
  readonly faults: Array<Fault>
  readonly requests: Array<{ path: string; params: Record<string, string> }>
  /** Metrics the API no longer accepts (a request naming one fails with code 100). */
  readonly deprecated: Set<string>
  devMode: boolean
  readonly close: () => Promise<void>
}

export const startInstagram = async (options: { readonly token: string; readonly userId: string; readonly media: ReadonlyArray<IgMedia> }): Promise<InstagramServer> => {
  const state: InstagramServer = { url: "", faults: [], requests: [], deprecated: new Set(), devMode: false, close: async () => {} }
  let calls = 0
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost")
    calls++
    const buc = { "x-business-use-case-usage": JSON.stringify({ "1234567890": [{ type: "instagram", call_count: Math.min(100, calls % 50), total_cputime: 3, total_time: 4, estimated_time_to_regain_access: 0 }] }) }
    const graphError = (status: number, code: number, message: string, type = "OAuthException") =>
      res.writeHead(status, { "content-type": "application/json", ...buc }).end(JSON.stringify({ error: { message, type, code, fbtrace_id: "AbCdEf123" } }))
    if (req.headers.authorization !== `Bearer ${options.token}`) return graphError(400, 190, "Invalid OAuth access token - Cannot parse access token")
    const params = Object.fromEntries(url.searchParams.entries())
    state.requests.push({ path: url.pathname, params })
    const fault = state.faults.shift()
    if (interrupts(fault, req, res, (status) => JSON.stringify({ error: { message: status === 429 ? "(#4) Application request limit reached" : "An unexpected error has occurred. Please retry your request later.", type: "OAuthException", code: status === 429 ? 4 : 2, is_transient: true, fbtrace_id: "X" } }))) return
    const send = (body: unknown) => deliver(fault, res, JSON.stringify(body), (t) => t.replace(/"like_count":\d+/, '"like_count":"many"'), { "content-type": "application/json", ...buc })
    const [, , node, edge] = url.pathname.split("/")
    if (edge === "media" && node === options.userId) {
      const limit = Number(params.limit ?? "25")
      const offset = params.after === undefined ? 0 : Number(Buffer.from(params.after, "base64url").toString())
      const page = options.media.slice(offset, offset + limit)
      const next = offset + limit < options.media.length ? Buffer.from(String(offset + limit)).toString("base64url") : undefined
      return send({
        data: page.map((m) => ({ id: m.id, caption: m.caption, media_type: m.media_type, media_product_type: "FEED", permalink: `https://www.instagram.com/p/${m.id}/`, timestamp: m.timestamp, like_count: m.like_count, comments_count: m.comments.length })),
        paging: { cursors: { before: "QVFIUmJl", ...(next === undefined ? { after: Buffer.from(String(offset)).toString("base64url") } : { after: next }) }, ...(next === undefined ? {} : { next: `${url.origin}${url.pathname}?after=${next}` }) }
      })
    }
    const item = options.media.find((m) => m.id === node)
    if (item === undefined) return graphError(400, 100, `Unsupported get request. Object with ID '${node}' does not exist`, "GraphMethodException")
    if (edge === "insights") {
      const metrics = (params.metric ?? "").split(",")
      const bad = metrics.find((m) => state.deprecated.has(m))
      if (bad !== undefined) return graphError(400, 100, `(#100) metric[${metrics.indexOf(bad)}] must be one of the following values: reach, saved, shares, total_interactions, views`)
      return send({ data: metrics.map((name, k) => ({ name, period: "lifetime", values: [{ value: item.like_count * (k + 2) }], title: name, id: `${item.id}/insights/${name}/lifetime` })) })
    }
    if (edge === "comments") return send({ data: state.devMode ? [] : item.comments })
    return graphError(400, 100, "Unknown path")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  Object.assign(state, {
    url: `http://127.0.0.1:${port}/v21.0`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })
  return state
}
