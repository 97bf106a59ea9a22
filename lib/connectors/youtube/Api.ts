/**
 * YouTube Data API v3 and Analytics API v2 shapes (docs/sources/youtube.md §3). Data API lists page with
 * `nextPageToken`; every list call costs 1 unit of the 10,000-unit daily quota. Analytics reports come as
 * `columnHeaders` + `rows` arrays, paged with `startIndex`/`maxResults`. Quota errors are 403s with reason
 * `quotaExceeded` (the day's units) or `rateLimitExceeded`.
 */
import { Schema } from "effect"

const Thumbnail = Schema.Struct({ url: Schema.String, width: Schema.optional(Schema.Number), height: Schema.optional(Schema.Number) })

export const ChannelsResponse = Schema.Struct({
  items: Schema.optional(Schema.Array(Schema.Struct({
    id: Schema.String,
    contentDetails: Schema.Struct({ relatedPlaylists: Schema.Struct({ uploads: Schema.String }) })
  })))
})

export const PlaylistItemsResponse = Schema.Struct({
  nextPageToken: Schema.optional(Schema.String),
  items: Schema.Array(Schema.Struct({ contentDetails: Schema.Struct({ videoId: Schema.String, videoPublishedAt: Schema.optional(Schema.String) }) }))
})

/** Statistics come as strings of digits (int64 in JSON). */
const Count = Schema.optional(Schema.NumberFromString)

export const VideosResponse = Schema.Struct({
  items: Schema.Array(Schema.Struct({
    id: Schema.String,
    snippet: Schema.Struct({
      publishedAt: Schema.String,
      title: Schema.String,
      thumbnails: Schema.Record({ key: Schema.String, value: Thumbnail })
    }),
    statistics: Schema.Struct({ viewCount: Count, likeCount: Count, commentCount: Count }),
    contentDetails: Schema.Struct({ duration: Schema.String })
  }))
})
export type Video = (typeof VideosResponse.Type)["items"][number]

export const AnalyticsReport = Schema.Struct({
  kind: Schema.optional(Schema.String),
  columnHeaders: Schema.Array(Schema.Struct({ name: Schema.String, columnType: Schema.String, dataType: Schema.String })),
  rows: Schema.optional(Schema.Array(Schema.Array(Schema.Union(Schema.String, Schema.Number))))
})

/** The best thumbnail the video has (the one whose bytes are hashed). */
export const bestThumbnail = (thumbnails: Readonly<Record<string, { readonly url: string }>>) =>
  (["maxres", "standard", "high", "medium", "default"].map((k) => thumbnails[k]).find((t) => t !== undefined))?.url

/** Google's quota and rate-limit 403s. */
export const isQuotaError = (status: number, body: string) => status === 403 && /"reason"\s*:\s*"quotaExceeded"/.test(body)
export const isRateLimit = (status: number, body: string) => status === 403 && /"reason"\s*:\s*"(rateLimitExceeded|userRateLimitExceeded)"/.test(body)
