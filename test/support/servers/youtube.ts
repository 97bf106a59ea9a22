/**
 * A local YouTube (docs/sources/youtube.md): Google's token endpoint (refresh-token grant), the Data API's channels,
 * playlistItems (pageToken paging) and videos (int64 statistics as strings), the Analytics API's reports
 * (columnHeaders + rows, startIndex paging), thumbnails served as bytes at a fixed URL (so a replaced image keeps
 * its URL), the Reporting API (jobs, the reports a job has produced, CSV downloads, gzip when asked, backfills and
 * expiry), Google's quota 403s, and the shared faults. Data: a channel's videos and their daily figures.
 */
import type { KeyObject } from "node:crypto"
import * as http from "node:http"
import { gzipSync } from "node:zlib"
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

const shiftDay = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

const pacificDate = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles", year: "numeric", month: "2-digit", day: "2-digit" })

/** Pacific midnight of a day, as YouTube's report boundaries are: 08:00Z in standard time, 07:00Z in daylight time. */
export const pacificMidnight = (day: string) => {
  const [pst, pdt] = [8, 7].map((h) => new Date(Date.parse(`${day}T00:00:00Z`) + h * 3_600_000))
  // Daylight time at midnight if 07:00Z is already that day in Los Angeles.
  return (pacificDate.format(pdt!) === day ? pdt! : pst!).toISOString()
}

/**
 * One reach row per video, day and subscribed status (the report's dimensions beyond date and video are summed
 * by the connector), with the thumbnail shown at the time: a `v2` thumbnail is clicked more. Rows whose metrics
 * are all zero are left out, as YouTube does.
 */
export const ytReach = (video: YtVideo, index: number, day: string, version = 1) => {
  const d = ytDaily(video, index, day)
  if (d === undefined) return []
  const impressions = d.views * 11 + version - 1
  const ctr = 0.035 + (index % 5) * 0.004 + (video.thumbnail.includes("v2") ? 0.021 : 0)
  const subscribed = Math.floor(impressions * 0.3)
  return [
    { status: "subscribed", impressions: subscribed, ctr: Math.round((ctr + 0.02) * 10_000) / 10_000 },
    { status: "unsubscribed", impressions: impressions - subscribed, ctr: Math.round(ctr * 10_000) / 10_000 }
  ].filter((r) => r.impressions > 0)
}

export interface ReachReport {
  readonly id: string
  readonly jobId: string
  readonly day: string
  readonly createTime: string
  readonly rows: ReadonlyArray<{ readonly videoId: string; readonly status: string; readonly impressions: number; readonly ctr: number }>
}

export interface ReachJob {
  readonly id: string
  readonly reportTypeId: string
  readonly name: string
  readonly createTime: string
  expireTime?: string
}

export interface YouTubeServer {
  readonly url: string
  readonly analyticsUrl: string
  readonly reportingUrl: string
  /** The Reporting API's state: jobs, published reports, and what was downloaded. */
  readonly reach: {
    readonly jobs: Array<ReachJob>
    readonly reports: Array<ReachReport>
    readonly downloads: Array<string>
    /** When set, downloads are gzip-labelled bytes that do not inflate. */
    corruptGzip: boolean
    /** The channel id written into downloaded CSVs (default: the server's channel). */
    csvChannel: string | undefined
    /** When set, every report page names the same next page (a looping API). */
    loopPaging: boolean
    /** Where download URLs point (default: this server); a test points them elsewhere. */
    downloadOrigin: string | undefined
    /** Faults for report downloads only (taken before the shared queue's). */
    readonly downloadFaults: Array<Fault>
    /** Publishes a report for each day for the reach job (a second report for a day is a backfill replacing it). */
    readonly publish: (days: ReadonlyArray<string>) => void
    /** Reports no longer listed (YouTube keeps them about 60 days). */
    readonly expireBefore: (day: string) => void
    /** The newest report per day: what a converged connector holds. */
    readonly current: () => Array<ReachReport>
  }
  readonly tokenUrl: string
  readonly faults: Array<Fault>
  readonly requests: Array<{ path: string; params: Record<string, string> }>
  readonly videos: Array<YtVideo>
  readonly close: () => Promise<void>
}

export const startYouTube = async (options: {
  readonly channelId: string
  readonly refreshToken: string
  readonly publicKey: KeyObject
  readonly videos: Array<YtVideo>
  readonly today: string
  /** Whether a reach job already exists (created 20 days ago, its reports published through the day before yesterday); default true. */
  readonly reachJob?: boolean
}): Promise<YouTubeServer> => {
  const faults: Array<Fault> = []
  const requests: YouTubeServer["requests"] = []
  const tokens = tokenIssuer(options.publicKey, options.refreshToken)
  const reachType = "channel_reach_basic_a1"
  const reportTypes = [reachType, "channel_basic_a3", "channel_traffic_source_a3"]
  const jobs: Array<ReachJob> = []
  const reports: Array<ReachReport> = []
  const downloads: Array<string> = []
  const downloadFaults: Array<Fault> = []
  let hidden = ""
  let clock = Date.parse(`${shiftDay(options.today, -1)}T00:00:00Z`)
  const publish = (days: ReadonlyArray<string>) => {
    const job = jobs.findLast((j) => j.reportTypeId === reachType && (j.expireTime === undefined || Date.parse(j.expireTime) > Date.now()))
    if (job === undefined) throw new Error("no live reach job to publish for")
    for (const day of days) {
      const version = reports.filter((r) => r.day === day).length + 1
      clock += 1_234_567
      reports.push({
        id: `${day.replaceAll("-", "")}${String(version).padStart(2, "0")}${(reports.length * 7919).toString(36)}`,
        jobId: job.id,
        day,
        // Real createTimes are microsecond-precise.
        createTime: new Date(clock).toISOString().replace("Z", `${String(reports.length % 1000).padStart(3, "0")}Z`),
        rows: options.videos.flatMap((v, i) => ytReach(v, i, day, version).map((r) => ({ videoId: v.id, ...r })))
      })
    }
  }
  const current = () => {
    const newest = new Map<string, ReachReport>()
    for (const r of reports) if (r.day >= hidden && (newest.get(r.day)?.createTime ?? "") < r.createTime) newest.set(r.day, r)
    return [...newest.values()].sort((a, b) => a.day.localeCompare(b.day))
  }
  const csvOf = (report: ReachReport) =>
    "date,channel_id,video_id,live_or_on_demand,subscribed_status,video_thumbnail_impressions,video_thumbnail_impressions_ctr\n" +
    report.rows.map((r) => `${report.day.replaceAll("-", "")},${reach.csvChannel ?? options.channelId},${r.videoId},on_demand,${r.status},${r.impressions},${r.ctr}\n`).join("")
  const reach: YouTubeServer["reach"] = { jobs, reports, downloads, downloadFaults, downloadOrigin: undefined, loopPaging: false, csvChannel: undefined, corruptGzip: false, publish, expireBefore: (day) => (hidden = day), current }
  if (options.reachJob !== false) {
    jobs.push({ id: "a7b3c9d1-reach-job", reportTypeId: reachType, name: "solohub channel_reach_basic_a1", createTime: `${shiftDay(options.today, -20)}T09:14:03.512044Z` })
    // The first reports cover the 30 days before the job, then one a day, each a day or two late.
    publish(Array.from({ length: 49 }, (_, i) => shiftDay(options.today, -50 + i)))
  }
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
      const v1Error = (code: number, status: string, message: string) => json(code, { error: { code, message, status } })
      if (url.pathname === "/v1/jobs" && req.method === "POST") {
        const body = (() => {
          try {
            return JSON.parse(raw) as { reportTypeId?: string; name?: string }
          } catch {
            return {}
          }
        })()
        if (typeof body.name !== "string" || body.name === "") return v1Error(400, "INVALID_ARGUMENT", "The job's name is required.")
        if (body.reportTypeId === undefined || !reportTypes.includes(body.reportTypeId)) return v1Error(400, "INVALID_ARGUMENT", `Report type ${body.reportTypeId} does not exist.`)
        if (jobs.some((j) => j.reportTypeId === body.reportTypeId && (j.expireTime === undefined || Date.parse(j.expireTime) > Date.now()))) {
          return v1Error(409, "ALREADY_EXISTS", "A job for this report type already exists.")
        }
        const job: ReachJob = { id: `job-${jobs.length + 1}-${body.reportTypeId}`, reportTypeId: body.reportTypeId, name: body.name, createTime: new Date().toISOString() }
        jobs.push(job)
        return send(job)
      }
      const pageOf = <T>(items: ReadonlyArray<T>, size: number) => {
        const offset = params.pageToken === undefined ? 0 : Number(Buffer.from(params.pageToken, "base64url").toString())
        const next = offset + size < items.length ? Buffer.from(String(offset + size)).toString("base64url") : undefined
        return { page: items.slice(offset, offset + size), next }
      }
      if (url.pathname === "/v1/jobs") {
        const { page, next } = pageOf(jobs, Number(params.pageSize ?? "2"))
        return send({ ...(page.length > 0 ? { jobs: page } : {}), ...(next === undefined ? {} : { nextPageToken: next }) })
      }
      const listing = /^\/v1\/jobs\/([^/]+)\/reports$/.exec(url.pathname)
      if (listing !== null) {
        const job = jobs.find((j) => j.id === decodeURIComponent(listing[1]!))
        if (job === undefined) return v1Error(404, "NOT_FOUND", "Requested entity was not found.")
        const listed = reports
          .filter((r) => r.jobId === job.id && r.day >= hidden)
          .filter((r) => params.createdAfter === undefined || Date.parse(r.createTime) > Date.parse(params.createdAfter))
          .filter((r) => params.startTimeAtOrAfter === undefined || Date.parse(pacificMidnight(r.day)) >= Date.parse(params.startTimeAtOrAfter))
          .filter((r) => params.startTimeBefore === undefined || Date.parse(pacificMidnight(r.day)) < Date.parse(params.startTimeBefore))
          .sort((a, b) => b.createTime.localeCompare(a.createTime))
        const { page, next } = pageOf(listed, Number(params.pageSize ?? "20"))
        return send({
          ...(page.length > 0
            ? {
              reports: page.map((r) => ({
                id: r.id, jobId: r.jobId, startTime: pacificMidnight(r.day), endTime: pacificMidnight(shiftDay(r.day, 1)), createTime: r.createTime,
                downloadUrl: `${reach.downloadOrigin ?? origin}/v1/media/CHANNEL/${options.channelId}/jobs/${r.jobId}/reports/${r.id}?alt=media`
              }))
            }
            : {}),
          ...(reach.loopPaging ? { nextPageToken: Buffer.from("20").toString("base64url") } : next === undefined ? {} : { nextPageToken: next })
        })
      }
      const media = /^\/v1\/media\/CHANNEL\/[^/]+\/jobs\/[^/]+\/reports\/([^/]+)$/.exec(url.pathname)
      if (media !== null) {
        const report = reports.find((r) => r.id === media[1] && r.day >= hidden)
        if (report === undefined) return v1Error(404, "NOT_FOUND", "Requested entity was not found.")
        const applied = downloadFaults.shift() ?? fault
        if (applied !== fault && interrupts(applied, req, res, () => JSON.stringify({ error: { code: 503, message: "Backend Error", status: "UNAVAILABLE" } }))) return
        downloads.push(report.id)
        const csv = csvOf(report)
        const text = applied?.kind === "truncate" ? csv.slice(0, Math.floor(csv.length / 2)) : applied?.kind === "wrong-type" ? csv.replace(/,(\d+),(0\.\d+)\n/, ",lots,$2\n") : csv
        if (reach.corruptGzip) return res.writeHead(200, { "content-type": "application/octet-stream", "content-encoding": "gzip" }).end(Buffer.concat([gzipSync(text).subarray(0, 12), Buffer.from([0, 0, 0xff, 0x13])]))
        const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))
        return res.writeHead(200, { "content-type": "application/octet-stream", ...(gzip ? { "content-encoding": "gzip" } : {}) }).end(gzip ? gzipSync(text) : text)
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
    reportingUrl: `http://127.0.0.1:${port}/v1`,
    reach,
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
