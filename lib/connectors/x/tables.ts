/**
 * X tables (docs/sources/x.md §8): the founder's posts with their public metrics, refreshed while they still move.
 * The text is kept in the hub only (tagged free text: it can name or quote other people); the warehouse gets ids,
 * dates, thread structure and numbers.
 */
import { Schema } from "effect"
import { pii } from "../../pii/Pii.ts"
import * as Table from "../../pii/Table.ts"

export const posts = Table.make({
  database: "hub", schema: "social", name: "x_posts", description: "The founder's X posts with their public metrics.",
  row: Schema.Struct({
    account: Schema.String, id: Schema.String, conversation_id: Schema.String, is_thread_reply: Schema.Boolean, created_at: Schema.DateFromSelf,
    text: pii("free_text")(Schema.String),
    retweets: Schema.Number, replies: Schema.Number, likes: Schema.Number, quotes: Schema.Number,
    bookmarks: Schema.NullOr(Schema.Number), impressions: Schema.NullOr(Schema.Number), fetched_at: Schema.DateFromSelf
  }),
  key: ["account", "id"]
})

export const xTables: ReadonlyArray<Table.AnyTable> = [posts]
