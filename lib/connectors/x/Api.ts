/**
 * The X API v2 shapes for a user's posts timeline (docs/sources/x.md §3): `data` (absent when empty), `meta` with
 * `result_count` and `next_token`, and `errors` for partial errors beside the data. Rate limits are per 15-minute
 * window, reported on every response in x-rate-limit-limit / -remaining / -reset (epoch seconds); a 429 carries no
 * Retry-After, so the wait comes from x-rate-limit-reset.
 */
import { Option, Schema } from "effect"

export const PublicMetrics = Schema.Struct({
  retweet_count: Schema.Number,
  reply_count: Schema.Number,
  like_count: Schema.Number,
  quote_count: Schema.Number,
  bookmark_count: Schema.optional(Schema.Number),
  impression_count: Schema.optional(Schema.Number)
})

export const Post = Schema.Struct({
  id: Schema.String,
  text: Schema.String,
  created_at: Schema.String,
  conversation_id: Schema.optional(Schema.String),
  in_reply_to_user_id: Schema.optional(Schema.String),
  public_metrics: PublicMetrics
})
export type Post = typeof Post.Type

export const TimelinePage = Schema.Struct({
  data: Schema.optional(Schema.Array(Post)),
  meta: Schema.Struct({ result_count: Schema.Number, next_token: Schema.optional(Schema.String), newest_id: Schema.optional(Schema.String), oldest_id: Schema.optional(Schema.String) }),
  errors: Schema.optional(Schema.Array(Schema.Struct({ title: Schema.optional(Schema.String), detail: Schema.optional(Schema.String), type: Schema.optional(Schema.String) })))
})
export type TimelinePage = typeof TimelinePage.Type

export const tweetFields = "created_at,public_metrics,conversation_id,in_reply_to_user_id"

/** The wait X asks for after a 429: until x-rate-limit-reset (epoch seconds). */
export const resetWait = (headers: Readonly<Record<string, string | undefined>>, now: number): Option.Option<number> => {
  const reset = headers["x-rate-limit-reset"]
  return reset !== undefined && /^\d+$/.test(reset) ? Option.some(Math.max(0, Number(reset) * 1000 - now)) : Option.none()
}
