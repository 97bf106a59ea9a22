/**
 * Instagram tables (docs/sources/instagram.md §8). Captions are the founder's own words but may name people; comment
 * text and usernames are other people's: all tagged. Insights are kept per metric, so a deprecated metric only
 * leaves its own rows missing.
 */
import { Schema } from "effect"
import { pii } from "../../pii/Pii.ts"
import * as Table from "../../pii/Table.ts"

export const media = Table.make({
  database: "hub", schema: "social", name: "ig_media", description: "The account's Instagram media with their counts.",
  row: Schema.Struct({
    account: Schema.String, id: Schema.String, media_type: Schema.String, media_product_type: Schema.NullOr(Schema.String),
    caption: pii("free_text")(Schema.NullOr(Schema.String)), permalink: Schema.NullOr(Schema.String), posted_at: Schema.DateFromSelf,
    like_count: Schema.NullOr(Schema.Number), comments_count: Schema.NullOr(Schema.Number), fetched_at: Schema.DateFromSelf
  }),
  key: ["account", "id"]
})

export const insights = Table.make({
  database: "hub", schema: "social", name: "ig_media_insights", description: "Instagram media insights, one row per metric.",
  row: Schema.Struct({ account: Schema.String, media_id: Schema.String, metric: Schema.String, value: Schema.Number, fetched_at: Schema.DateFromSelf }),
  key: ["account", "media_id", "metric"]
})

export const comments = Table.make({
  database: "hub", schema: "social", name: "ig_comments", description: "Comments on Instagram media.",
  row: Schema.Struct({
    account: Schema.String, id: Schema.String, media_id: Schema.String, text: pii("free_text")(Schema.String),
    username: pii("username")(Schema.NullOr(Schema.String)), posted_at: Schema.DateFromSelf, fetched_at: Schema.DateFromSelf
  }),
  key: ["account", "id"]
})

export const instagramTables: ReadonlyArray<Table.AnyTable> = [media, insights, comments]
