/**
 * The MailerLite API's shapes (https://connect.mailerlite.com/api, version
 * 2022-12-01; docs/sources/mailerlite.md §3). Subscribers page by cursor
 * (meta.next_cursor), groups and campaigns by page (meta.last_page). Dates are
 * "YYYY-MM-DD HH:MM:SS" in UTC; rates are numbers on subscribers but
 * {float, string} objects on groups and campaigns.
 */
import { Schema } from "effect"

const Timestamp = Schema.NullOr(Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/, { message: () => "a timestamp like 2026-11-21 14:03:50" })))
const Count = Schema.Number
const Rate = Schema.Struct({ float: Schema.Number, string: Schema.optional(Schema.String) })

export const Subscriber = Schema.Struct({
  id: Schema.String,
  email: Schema.String,
  status: Schema.Literal("active", "unsubscribed", "unconfirmed", "bounced", "junk"),
  source: Schema.optional(Schema.NullOr(Schema.String)),
  sent: Schema.optional(Count),
  opens_count: Schema.optional(Count),
  clicks_count: Schema.optional(Count),
  open_rate: Schema.optional(Schema.Number),
  click_rate: Schema.optional(Schema.Number),
  ip_address: Schema.optional(Schema.NullOr(Schema.String)),
  subscribed_at: Schema.optional(Timestamp),
  unsubscribed_at: Schema.optional(Timestamp),
  created_at: Timestamp,
  updated_at: Schema.optional(Timestamp),
  opted_in_at: Schema.optional(Timestamp),
  optin_ip: Schema.optional(Schema.NullOr(Schema.String)),
  fields: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  groups: Schema.optional(Schema.Array(Schema.Struct({ id: Schema.String, name: Schema.optional(Schema.String) })))
})
export type Subscriber = typeof Subscriber.Type

export const SubscriberPage = Schema.Struct({
  data: Schema.Array(Subscriber),
  links: Schema.optional(Schema.Struct({ next: Schema.optional(Schema.NullOr(Schema.String)) })),
  meta: Schema.Struct({ next_cursor: Schema.optional(Schema.NullOr(Schema.String)), per_page: Schema.optional(Schema.Number) })
})

const PageMeta = Schema.Struct({ current_page: Schema.Number, last_page: Schema.Number, total: Schema.optional(Schema.Number) })

export const Group = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  active_count: Count,
  sent_count: Count,
  opens_count: Count,
  open_rate: Rate,
  clicks_count: Count,
  click_rate: Rate,
  unsubscribed_count: Count,
  unconfirmed_count: Count,
  bounced_count: Count,
  junk_count: Count,
  created_at: Timestamp
})
export const GroupPage = Schema.Struct({ data: Schema.Array(Group), meta: PageMeta })

export const CampaignStats = Schema.Struct({
  sent: Count,
  opens_count: Count,
  unique_opens_count: Count,
  open_rate: Rate,
  clicks_count: Count,
  unique_clicks_count: Count,
  click_rate: Rate,
  unsubscribes_count: Count,
  spam_count: Count,
  hard_bounces_count: Count,
  soft_bounces_count: Count,
  forwards_count: Count,
  click_to_open_rate: Rate
})
export const Campaign = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  type: Schema.String,
  status: Schema.String,
  created_at: Timestamp,
  scheduled_for: Schema.optional(Timestamp),
  started_at: Schema.optional(Timestamp),
  finished_at: Schema.optional(Timestamp),
  emails: Schema.optional(Schema.Array(Schema.Struct({ subject: Schema.optional(Schema.NullOr(Schema.String)) }))),
  stats: CampaignStats
})
export const CampaignPage = Schema.Struct({ data: Schema.Array(Campaign), meta: PageMeta })

/** Every subscriber status: the list endpoint filters by one at a time (docs/sources/mailerlite.md §4). */
export const statuses = ["active", "unsubscribed", "unconfirmed", "bounced", "junk"] as const

/** "2026-11-21 14:03:50" (UTC) as an ISO instant. */
export const instant = (value: string | null | undefined) => (value === null || value === undefined ? null : `${value.replace(" ", "T").slice(0, 19)}Z`)
