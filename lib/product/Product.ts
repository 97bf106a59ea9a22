/**
 * The product SDK: what a product app (another TypeScript project) uses to
 * write its own data into its product database, as `app_rw`. Every write is
 * decoded with a Schema first (a bad record is an InvalidRecord naming the
 * field, and nothing is written), and is an idempotent upsert on the record's
 * natural key, so an app can retry freely.
 *
 *   const product = yield* Product            // Product.layer("myapp") provides it
 *   yield* product.recordSignup({ user: { id, email }, signedUpAt, utm: { source: "youtube" }, videoId })
 */
import type { SqlError } from "@effect/sql/SqlError"
import type { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, ParseResult, Schema } from "effect"
import { ProductWriter } from "../db/Connections.ts"
import { upsertRows } from "../sync/Bulk.ts"
import { events, payments, signups, users } from "./tables.ts"

export class InvalidRecord extends Schema.TaggedError<InvalidRecord>("solohub/InvalidRecord")("InvalidRecord", {
  record: Schema.String,
  message: Schema.String
}) {}

const NonEmpty = Schema.String.pipe(Schema.trimmed(), Schema.minLength(1), Schema.maxLength(500))
const Text = Schema.String.pipe(Schema.maxLength(2000))
const Email = Schema.String.pipe(Schema.trimmed(), Schema.maxLength(320), Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "an email address" }))
const Instant = Schema.Union(Schema.DateFromSelf, Schema.Date)
/** A YouTube video id: 11 characters of [A-Za-z0-9_-]. */
const VideoId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{11}$/, { message: () => "a YouTube video id (11 characters)" }))

export const User = Schema.Struct({
  id: NonEmpty,
  email: Email,
  name: Schema.optional(Text),
  createdAt: Schema.optional(Instant)
})
export type User = typeof User.Encoded

export const Utm = Schema.Struct({
  source: Schema.optional(Text),
  medium: Schema.optional(Text),
  campaign: Schema.optional(Text),
  content: Schema.optional(Text),
  term: Schema.optional(Text)
})

export const Signup = Schema.Struct({
  user: User,
  signedUpAt: Instant,
  plan: Schema.optional(Text),
  utm: Schema.optional(Utm),
  referrer: Schema.optional(Text),
  /** The path the visitor first landed on (e.g. /posts/solo-backend). */
  landingPage: Schema.optional(Text),
  /** The YouTube video the visitor came from, when known: attribution is keyed on it, never on the title. */
  videoId: Schema.optional(VideoId)
})
export type Signup = typeof Signup.Encoded

export const Event = Schema.Struct({
  /** The app's own id for the event (a UUID), so a retried write is not counted twice. */
  id: NonEmpty,
  userId: Schema.optional(NonEmpty),
  name: NonEmpty,
  occurredAt: Instant,
  durationMs: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
  properties: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type Event = typeof Event.Encoded

export const Payment = Schema.Struct({
  /** The payment provider's id. */
  id: NonEmpty,
  userId: Schema.optional(NonEmpty),
  amountCents: Schema.Int,
  currency: Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/, { message: () => "an ISO 4217 code such as EUR" })),
  status: Schema.Literal("succeeded", "refunded", "failed", "pending"),
  paidAt: Instant,
  provider: NonEmpty
})
export type Payment = typeof Payment.Encoded

const decode = <A, I>(schema: Schema.Schema<A, I>, record: string) => (input: unknown) =>
  Schema.decodeUnknown(schema, { onExcessProperty: "error" })(input).pipe(
    Effect.mapError((error) => new InvalidRecord({ record, message: `${record}: ${ParseResult.TreeFormatter.formatErrorSync(error)}` }))
  )

const iso = (d: Date) => d.toISOString()

export interface ProductShape {
  readonly recordUser: (user: User) => Effect.Effect<void, InvalidRecord | SqlError>
  readonly recordSignup: (signup: Signup) => Effect.Effect<void, InvalidRecord | SqlError>
  /** Many events in one statement (an app buffers and flushes). */
  readonly recordEvents: (events: ReadonlyArray<Event>) => Effect.Effect<number, InvalidRecord | SqlError>
  readonly recordPayment: (payment: Payment) => Effect.Effect<void, InvalidRecord | SqlError>
}

export class Product extends Context.Tag("solohub/product/Product")<Product, ProductShape>() {
  /** The SDK for one product, writing as its app_rw role. */
  static layer = (product: string) => Layer.effect(Product, Effect.map(ProductWriter, make)).pipe(Layer.provide(ProductWriter.layer(product)))
}

export const make = (sql: PgClient.PgClient): ProductShape => {
  const upsertUsers = (list: ReadonlyArray<typeof User.Type>) => {
    const now = new Date()
    return upsertRows(sql, users.qualified, users.key, [
      { name: "id", values: list.map((u) => u.id) },
      { name: "email", values: list.map((u) => u.email) },
      { name: "name", values: list.map((u) => u.name ?? null) },
      { name: "created_at", values: list.map((u) => iso(u.createdAt ?? now)) },
      { name: "updated_at", values: list.map(() => iso(now)) }
    ])
  }
  return {
    recordUser: (input) => Effect.flatMap(decode(User, "user")(input), (user) => Effect.asVoid(sql.withTransaction(upsertUsers([user])))),
    recordSignup: (input) =>
      Effect.flatMap(decode(Signup, "signup")(input), (s) =>
        sql.withTransaction(Effect.gen(function*() {
          yield* upsertUsers([{ ...s.user, createdAt: s.user.createdAt ?? s.signedUpAt }])
          yield* upsertRows(sql, signups.qualified, signups.key, [
            { name: "user_id", values: [s.user.id] },
            { name: "signed_up_at", values: [iso(s.signedUpAt)] },
            { name: "plan", values: [s.plan ?? null] },
            { name: "utm_source", values: [s.utm?.source ?? null] },
            { name: "utm_medium", values: [s.utm?.medium ?? null] },
            { name: "utm_campaign", values: [s.utm?.campaign ?? null] },
            { name: "utm_content", values: [s.utm?.content ?? null] },
            { name: "utm_term", values: [s.utm?.term ?? null] },
            { name: "referrer", values: [s.referrer ?? null] },
            { name: "landing_page", values: [s.landingPage ?? null] },
            { name: "video_id", values: [s.videoId ?? null] },
            { name: "updated_at", values: [iso(new Date())] }
          ])
        }))),
    recordEvents: (input) =>
      Effect.flatMap(Effect.forEach(input, decode(Event, "event")), (list) =>
        sql.withTransaction(upsertRows(sql, events.qualified, events.key, [
          { name: "id", values: list.map((e) => e.id) },
          { name: "user_id", values: list.map((e) => e.userId ?? null) },
          { name: "name", values: list.map((e) => e.name) },
          { name: "occurred_at", values: list.map((e) => iso(e.occurredAt)) },
          { name: "duration_ms", values: list.map((e) => e.durationMs ?? null) },
          { name: "properties", values: list.map((e) => e.properties ?? {}) },
          { name: "recorded_at", values: list.map(() => iso(new Date())) }
        ]))),
    recordPayment: (input) =>
      Effect.flatMap(decode(Payment, "payment")(input), (p) =>
        Effect.asVoid(sql.withTransaction(upsertRows(sql, payments.qualified, payments.key, [
          { name: "id", values: [p.id] },
          { name: "user_id", values: [p.userId ?? null] },
          { name: "amount_cents", values: [p.amountCents] },
          { name: "currency", values: [p.currency] },
          { name: "status", values: [p.status] },
          { name: "paid_at", values: [iso(p.paidAt)] },
          { name: "provider", values: [p.provider] },
          { name: "updated_at", values: [iso(new Date())] }
        ]))))
  }
}
