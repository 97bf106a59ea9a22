/**
 * A product database's tables (sql/product/0003_app.sql). Users' email and
 * name are personal data; the referrer and event properties are free text an
 * app may fill with anything, so they are treated as personal too. The
 * warehouse gets a keyed pseudonym of the email, never the email.
 */
import { Schema } from "effect"
import { pii } from "../pii/Pii.ts"
import * as Table from "../pii/Table.ts"

const nullableText = Schema.NullOr(Schema.String)

export const users = Table.make({
  database: "product", schema: "app", name: "users",
  description: "The product's users; one row per account.",
  row: Schema.Struct({
    id: Schema.String,
    email: pii("email")(Schema.String),
    name: pii("name")(nullableText),
    created_at: Schema.DateFromSelf,
    updated_at: Schema.DateFromSelf
  }),
  key: ["id"]
})

export const signups = Table.make({
  database: "product", schema: "app", name: "signups",
  description: "How each user arrived: UTM parameters, referrer, landing page and the YouTube video id when it came from one.",
  row: Schema.Struct({
    user_id: Schema.String,
    signed_up_at: Schema.DateFromSelf,
    plan: nullableText,
    utm_source: nullableText,
    utm_medium: nullableText,
    utm_campaign: nullableText,
    utm_content: nullableText,
    utm_term: nullableText,
    referrer: pii("free_text")(nullableText),
    landing_page: nullableText,
    video_id: nullableText,
    updated_at: Schema.DateFromSelf
  }),
  key: ["user_id"]
})

export const events = Table.make({
  database: "product", schema: "app", name: "events",
  description: "Product events (page loads, API calls, feature use) with their duration.",
  row: Schema.Struct({
    id: Schema.String,
    user_id: nullableText,
    name: Schema.String,
    occurred_at: Schema.DateFromSelf,
    duration_ms: Schema.NullOr(Schema.Number),
    properties: pii("free_text")(Schema.Unknown),
    recorded_at: Schema.DateFromSelf
  }),
  key: ["id"]
})

export const payments = Table.make({
  database: "product", schema: "app", name: "payments",
  description: "Payments as the payment provider reported them, in cents.",
  row: Schema.Struct({
    id: Schema.String,
    user_id: nullableText,
    amount_cents: Schema.NumberFromString,
    currency: Schema.String,
    status: Schema.Literal("succeeded", "refunded", "failed", "pending"),
    paid_at: Schema.DateFromSelf,
    provider: Schema.String,
    updated_at: Schema.DateFromSelf
  }),
  key: ["id"]
})

export const productTables: ReadonlyArray<Table.AnyTable> = [users, signups, events, payments]
