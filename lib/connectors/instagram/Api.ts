/**
 * The Instagram Graph API's shapes (docs/sources/instagram.md §3): media lists paged by cursors
 * (`paging.cursors.after`, `paging.next` absent on the last page), insights as `{name, period, values:[{value}]}`,
 * comments, Graph errors `{"error": {message, type, code, error_subcode, fbtrace_id}}`, and the Business Use Case
 * usage header that says how close the app is to throttling.
 */
import { Option, Schema } from "effect"

export const Media = Schema.Struct({
  id: Schema.String,
  caption: Schema.optional(Schema.String),
  media_type: Schema.String,
  media_product_type: Schema.optional(Schema.String),
  permalink: Schema.optional(Schema.String),
  timestamp: Schema.String,
  like_count: Schema.optional(Schema.Number),
  comments_count: Schema.optional(Schema.Number)
})
export type Media = typeof Media.Type

const Paging = Schema.optional(Schema.Struct({
  cursors: Schema.optional(Schema.Struct({ before: Schema.optional(Schema.String), after: Schema.optional(Schema.String) })),
  next: Schema.optional(Schema.String)
}))

export const MediaPage = Schema.Struct({ data: Schema.Array(Media), paging: Paging })

export const Insight = Schema.Struct({
  name: Schema.String,
  period: Schema.optional(Schema.String),
  values: Schema.Array(Schema.Struct({ value: Schema.Number }))
})
export const InsightsResponse = Schema.Struct({ data: Schema.Array(Insight) })

export const Comment = Schema.Struct({ id: Schema.String, text: Schema.String, username: Schema.optional(Schema.String), timestamp: Schema.String })
export const CommentsPage = Schema.Struct({ data: Schema.Array(Comment), paging: Paging })

export const mediaFields = "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"

/** A Graph error's code: 4/17/32/613 and 80002 are rate limits; 190 an invalid token; 100 an invalid parameter (e.g. a metric). */
export const graphErrorCode = (body: string) => Number(/"code"\s*:\s*(\d+)/.exec(body)?.[1] ?? Number.NaN)

export const classifyGraphError = (status: number, body: string): "retry" | "unauthorized" | "default" => {
  const code = graphErrorCode(body)
  if ([4, 17, 32, 613, 80002].includes(code) || status === 429) return "retry"
  if (code === 190) return "unauthorized"
  return "default"
}

/**
 * How long the Business Use Case header asks to wait, in ms: the largest
 * `estimated_time_to_regain_access` (minutes) over its entries.
 */
export const bucWait = (header: string | undefined): Option.Option<number> => {
  if (header === undefined) return Option.none()
  try {
    const usage = JSON.parse(header) as Record<string, ReadonlyArray<{ estimated_time_to_regain_access?: number }>>
    const minutes = Math.max(0, ...Object.values(usage).flat().map((u) => u.estimated_time_to_regain_access ?? 0))
    return minutes > 0 ? Option.some(minutes * 60_000) : Option.none()
  } catch {
    return Option.none()
  }
}

/** The highest usage percentage the header reports (call_count, total_cputime, total_time). */
export const bucUsage = (header: string | undefined): number => {
  if (header === undefined) return 0
  try {
    const usage = JSON.parse(header) as Record<string, ReadonlyArray<{ call_count?: number; total_cputime?: number; total_time?: number }>>
    return Math.max(0, ...Object.values(usage).flat().flatMap((u) => [u.call_count ?? 0, u.total_cputime ?? 0, u.total_time ?? 0]))
  } catch {
    return 0
  }
}
