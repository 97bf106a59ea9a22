/**
 * A local YouTube (docs/sources/youtube.md): Google's token endpoint (refresh-token grant), the Data API's channels,
 * playlistItems (pageToken paging) and videos (int64 statistics as strings), the Analytics API's reports
 * (columnHeaders + rows, startIndex paging), thumbnails served as bytes at a fixed URL (so a replaced image keeps
 * its URL), Google's quota 403s, and the shared faults. Data: a channel's videos and their daily figures.
 */
import type { KeyObject } from "node:crypto"
import * as http from "node:http"
import { deliver, type Fault, interrupts } from "./faults.ts"
import { tokenIssuer } from "./googleToken.ts"

export interface YtVideo {
  readonly id: string
  title: string
  readonly publishedAt: string
  thumbnail: string
}

export const ytVideos = (until: string, count = 12): Array<YtVideo> =>
  Array.from({ length: count }, (_, i) => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    const id = Array.from({ length: 11 }, (_, k) => alphabet[(i * 7 + k * 13) % 64]).join("")
    return { id, title: `Video ${i}: building a one-person backend`, publishedAt: new Date(Date.parse(`${until}T15:00:00Z`) - i * 5 * 86_400_000).toISOString(), thumbnail: `thumb-v1-${i}` }
  })

/** Views, minutes and subscribers of a video on a day (deterministic). */
export const ytDaily = (video: YtVideo, index: number, day: string) => {
  const age = Math.floor((Date.parse(`${day}T00:00:00Z`) - Date.parse(video.publishedAt)) / 86_400_000)
  if (age < 0) return undefined
  const views = Math.max(1, Math.floor((400 + index * 37) / (1 + age / 3)))
  return { views, minutes: Math.round(views * 3.5), subs: Math.floor(views / 60) }
}

export interface YouTubeServer {
  readonly url: string
  readonly analyticsUrl: string
  readonly tokenUrl: string
  readonly faults: Array<Fault>
  readonly requests: Array<{ path: string; params: Record<string, string> }>
  readonly videos: Array<YtVideo>
  readonly close: () => Promise<void>
}

export const startYouTube = async (options: { readonly channelId: string; readonly refreshToken: string; readonly publicKey: KeyObject; readonly videos: Array<YtVideo>; readonly today: string }): Promise<YouTubeServer> => {
  const faults: Array<Fault> = []
  const requests: YouTubeServer["requests"] = []
  const tokens = tokenIssuer(options.publicKey, options.refreshToken)
  const server = http.createServer((req, res) => {
    let raw = ""
    req.on("data", (c) => (raw += c))
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost")
      const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json; charset=UTF-8" }).end(typeof body === "string" ? body : JSON.stringify(body))
      const googleError = (code: number, reason: string, message: string) => json(code, { error: { code, message, errors: [{ message, domain: code === 403 ? "youtube.quota" : "global", reason }] } })
      if (req.method === "POST" && url.pathname === "/token") {
        const answer = tokens.grant(new URLSearchParams(raw), `http://127.0.0.1:${(server.address() as { port: number }).port}/token`)
        return json(answer.status, answer.body)
      }
      const thumb = /^\/vi\/([\w-]{11})\/maxresdefault\.jpg$/.exec(url.pathname)
      if (thumb !== null) {
        const video = options.videos.find((v) => v.id === thumb[1])
        return video === undefined ? res.writeHead(404).end() : res.writeHead(200, { "content-type": "image/jpeg" }).end(Buffer.from(`JPEG:${video.thumbnail}`))
      }
      if (!tokens.valid(req.headers.authorization)) return googleError(401, "authError", "Invalid Credentials")
      const params = Object.fromEntries(url.searchParams.entries())
      requests.push({ path: url.pathname, params })
      const fault = faults.shift()
      if (interrupts(fault, req, res, (status) => JSON.stringify({ error: { code: status, message: "Backend Error", errors: [{ reason: "backendError" }] } }), "application/json; charset=UTF-8")) return
      const send = (body: unknown) => deliver(fault, res, JSON.stringify(body), (t) => t.replace(/"viewCount":"\d+"/, '"viewCount":"lots"').replace(/"columnType":"DIMENSION"/, '"columnType":7').replace(/"uploads":"[^"]*"/, '"uploads":42'), { "content-type": "application/json; charset=UTF-8" })
      const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
      if (url.pathname === "/youtube/v3/channels") {
        return send({ kind: "youtube#channelListResponse", items: params.id === options.channelId ? [{ id: options.channelId, contentDetails: { relatedPlaylists: { likes: "", uploads: `UU${options.channelId.slice(2)}` } } }] : [] })
      }
      if (url.pathname === "/youtube/v3/playlistItems") {
        const size = Number(params.maxResults ?? "5")
        const offset = params.pageToken === undefined ? 0 : Number(params.pageToken.replace("CAUQ", ""))
        const page = options.videos.slice(offset, offset + size)
        return send({
          kind: "youtube#playlistItemListResponse",
          ...(offset + size < options.videos.length ? { nextPageToken: `CAUQ${offset + size}` } : {}),
          pageInfo: { totalResults: options.videos.length, resultsPerPage: size },
          items: page.map((v) => ({ kind: "youtube#playlistItem", contentDetails: { videoId: v.id, videoPublishedAt: v.publishedAt } }))
        })
      }
      if (url.pathname === "/youtube/v3/videos") {
        const ids = (params.id ?? "").split(",")
        if (ids.length > 50) return googleError(400, "invalidParameter", "Too many ids")
        return send({
          kind: "youtube#videoListResponse",
          items: options.videos.filter((v) => ids.includes(v.id)).map((v) => {
            const index = options.videos.indexOf(v)
            const total = Array.from({ length: 120 }, (_, d) => ytDaily(v, index, new Date(Date.parse(`${options.today}T00:00:00Z`) - (d + 1) * 86_400_000).toISOString().slice(0, 10))?.views ?? 0).reduce((a, b) => a + b, 0)
            return {
              kind: "youtube#video", id: v.id,
              snippet: { publishedAt: v.publishedAt, channelId: options.channelId, title: v.title, thumbnails: { default: { url: `${origin}/vi/${v.id}/default.jpg`, width: 120, height: 90 }, maxres: { url: `${origin}/vi/${v.id}/maxresdefault.jpg`, width: 1280, height: 720 } } },
              statistics: { viewCount: String(total), likeCount: String(Math.floor(total / 20)), favoriteCount: "0", commentCount: String(Math.floor(total / 90)) },
              contentDetails: { duration: `PT${8 + index}M${index * 3}S`, dimension: "2d", definition: "hd" }
            }
          })
        })
      }
      if (url.pathname === "/v2/reports") {
        const rows: Array<[string, string, number, number, number]> = []
        for (let day = params.startDate!; day <= params.endDate!; day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) {
          options.videos.forEach((v, i) => {
            const d = ytDaily(v, i, day)
            if (d !== undefined) rows.push([day, v.id, d.views, d.minutes, d.subs])
          })
        }
        const start = Number(params.startIndex ?? "1") - 1
        const page = rows.slice(start, start + Number(params.maxResults ?? "10"))
        return send({
          kind: "youtubeAnalytics#resultTable",
          columnHeaders: [
            { name: "day", columnType: "DIMENSION", dataType: "STRING" }, { name: "video", columnType: "DIMENSION", dataType: "STRING" },
            { name: "views", columnType: "METRIC", dataType: "INTEGER" }, { name: "estimatedMinutesWatched", columnType: "METRIC", dataType: "INTEGER" },
            { name: "subscribersGained", columnType: "METRIC", dataType: "INTEGER" }
          ],
          ...(page.length > 0 ? { rows: page } : {})
        })
      }
      return googleError(404, "notFound", "Not Found")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/youtube/v3`,
    analyticsUrl: `http://127.0.0.1:${port}/v2`,
    tokenUrl: `http://127.0.0.1:${port}/token`,
    faults,
    requests,
    videos: options.videos,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
