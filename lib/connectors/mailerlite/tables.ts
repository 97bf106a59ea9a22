/**
 * MailerLite tables (docs/sources/mailerlite.md §8). Subscribers are people:
 * their email, names, IPs and custom fields are tagged as personal data and
 * never reach the assistant; the warehouse sees a keyed pseudonym instead.
 */
import { Schema } from "effect"
import { pii } from "../../pii/Pii.ts"
import * as Table from "../../pii/Table.ts"

const t = Schema.NullOr(Schema.DateFromSelf)
const text = Schema.NullOr(Schema.String)

export const subscribers = Table.make({
  database: "hub", schema: "newsletter", name: "ml_subscribers",
  description: "MailerLite subscribers with their engagement counters; deleted_at is set when a full pass no longer sees them.",
  row: Schema.Struct({
    account: Schema.String, id: Schema.String,
    email: pii("email")(Schema.String),
    name: pii("name")(text),
    last_name: pii("name")(text),
    fields: pii("free_text")(Schema.Unknown),
    ip_address: pii("ip")(text),
    optin_ip: pii("ip")(text),
    status: Schema.String, source: text,
    sent: Schema.Number, opens_count: Schema.Number, clicks_count: Schema.Number, open_rate: Schema.Number, click_rate: Schema.Number,
    group_ids: Schema.Array(Schema.String),
    subscribed_at: t, unsubscribed_at: t, opted_in_at: t, created_at: t, updated_at: t,
    seen_pass: Schema.String, deleted_at: t, fetched_at: Schema.DateFromSelf
  }),
  key: ["account", "id"]
})

export const groups = Table.make({
  database: "hub", schema: "newsletter", name: "ml_groups",
  description: "MailerLite groups with their counts and rates as MailerLite reports them.",
  row: Schema.Struct({
    account: Schema.String, id: Schema.String, name: Schema.String,
    active_count: Schema.Number, sent_count: Schema.Number, opens_count: Schema.Number, open_rate: Schema.Number,
    clicks_count: Schema.Number, click_rate: Schema.Number, unsubscribed_count: Schema.Number, unconfirmed_count: Schema.Number,
    bounced_count: Schema.Number, junk_count: Schema.Number, created_at: t, fetched_at: Schema.DateFromSelf
  }),
  key: ["account", "id"]
})

export const campaigns = Table.make({
  database: "hub", schema: "newsletter", name: "ml_campaigns",
  description: "Sent MailerLite campaigns with their statistics (opens, clicks, unsubscribes, bounces), refreshed each run.",
  row: Schema.Struct({
    account: Schema.String, id: Schema.String, name: Schema.String, type: Schema.String, status: Schema.String, subject: text,
    created_at: t, scheduled_for: t, started_at: t, finished_at: t,
    sent: Schema.Number, opens_count: Schema.Number, unique_opens_count: Schema.Number, open_rate: Schema.Number,
    clicks_count: Schema.Number, unique_clicks_count: Schema.Number, click_rate: Schema.Number, unsubscribes_count: Schema.Number,
    spam_count: Schema.Number, hard_bounces_count: Schema.Number, soft_bounces_count: Schema.Number, forwards_count: Schema.Number,
    click_to_open_rate: Schema.Number, fetched_at: Schema.DateFromSelf
  }),
  key: ["account", "id"]
})

export const mailerliteTables: ReadonlyArray<Table.AnyTable> = [subscribers, groups, campaigns]
