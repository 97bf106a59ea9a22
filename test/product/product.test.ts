import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { provision } from "../../lib/db/Provision.ts"
import { Layout } from "../../lib/db/Layout.ts"
import { Product } from "../../lib/product/Product.ts"
import { adminOn } from "../support/sql.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const env = makeTestEnv()
const provisioned = Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer))
const base = Product.layer("demo").pipe(Layer.provideMerge(provisioned))

const productDb = Effect.flatMap(Layout, (layout) => adminOn(layout.product("demo")!.database))

layer(base, { timeout: 60_000, excludeTestServices: true })("the product SDK (solohub/product)", (it) => {
  it.scoped("records a sign-up with its acquisition, events and a payment as app_rw; rewriting them changes nothing", () =>
    Effect.gen(function*() {
      const product = yield* Product
      const signup = {
        user: { id: "u-1", email: "ada@example.com", name: "Ada Lovelace" },
        signedUpAt: new Date("2026-11-20T10:00:00Z"),
        utm: { source: "youtube", medium: "video", campaign: "launch" },
        referrer: "https://www.youtube.com/",
        landingPage: "/posts/solo-backend",
        videoId: "dQw4w9WgXcQ"
      }
      yield* product.recordSignup(signup)
      yield* product.recordSignup(signup)
      const events = [
        { id: "e-1", userId: "u-1", name: "page_load", occurredAt: new Date("2026-11-20T10:01:00Z"), durationMs: 120 },
        { id: "e-2", userId: "u-1", name: "export", occurredAt: new Date("2026-11-20T10:02:00Z"), properties: { rows: 10 } }
      ]
      expect(yield* product.recordEvents(events)).toBe(2)
      yield* product.recordEvents(events)
      yield* product.recordPayment({ id: "pi_1", userId: "u-1", amountCents: 900, currency: "EUR", status: "succeeded", paidAt: new Date("2026-11-21T09:00:00Z"), provider: "stripe" })
      yield* product.recordPayment({ id: "pi_1", userId: "u-1", amountCents: 900, currency: "EUR", status: "refunded", paidAt: new Date("2026-11-21T09:00:00Z"), provider: "stripe" })
      const sql = yield* productDb
      const rows = yield* sql<{ users: string; signups: string; events: string; payments: string; video: string; status: string }>`
        SELECT (SELECT count(*) FROM app.users)::text AS users, (SELECT count(*) FROM app.signups)::text AS signups,
               (SELECT count(*) FROM app.events)::text AS events, (SELECT count(*) FROM app.payments)::text AS payments,
               (SELECT video_id FROM app.signups) AS video, (SELECT status FROM app.payments) AS status`
      expect(rows[0]).toMatchObject({ users: "1", signups: "1", events: "2", payments: "1", video: "dQw4w9WgXcQ", status: "refunded" })
    }))

  it.effect("a bad record is refused before anything is written, naming the field", () =>
    Effect.gen(function*() {
      const product = yield* Product
      const badEmail = yield* product.recordSignup({ user: { id: "u-2", email: "not an email" }, signedUpAt: new Date() }).pipe(Effect.flip)
      expect(badEmail._tag).toBe("InvalidRecord")
      expect(badEmail.message).toMatch(/signup: [\s\S]*email[\s\S]*an email address/)
      const badVideo = yield* product.recordSignup({ user: { id: "u-2", email: "b@example.com" }, signedUpAt: new Date(), videoId: "My video title" }).pipe(Effect.flip)
      expect(badVideo.message).toContain("a YouTube video id")
      const badBatch = yield* product.recordEvents([
        { id: "e-9", name: "ok", occurredAt: new Date() },
        { id: "e-10", name: "bad", occurredAt: new Date(), durationMs: -5 }
      ]).pipe(Effect.flip)
      expect(badBatch.message).toContain("durationMs")
      const extra = yield* product.recordPayment({ id: "p", amountCents: 1, currency: "eur", status: "succeeded", paidAt: new Date(), provider: "x" }).pipe(Effect.flip)
      expect(extra.message).toContain("ISO 4217")
      const sql = yield* Effect.scoped(Effect.flatMap(productDb, (s) => s<{ n: string }>`SELECT count(*)::text AS n FROM app.users WHERE id = 'u-2'`))
      expect(sql[0]!.n).toBe("0")
      const events = yield* Effect.scoped(Effect.flatMap(productDb, (s) => s<{ n: string }>`SELECT count(*)::text AS n FROM app.events WHERE id IN ('e-9', 'e-10')`))
      expect(events[0]!.n).toBe("0")
    }))
})
