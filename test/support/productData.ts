/**
 * A product's generated data for the demo and the ETL tests: users who signed up from the blog's pages, from
 * YouTube videos and campaigns — about a third of them also newsletter subscribers (same email, other case) —
 * with events and payments, written through the product SDK like a real app would.
 */
import { Effect } from "effect"
import { Product } from "../../lib/product/Product.ts"
import type { NewsletterSubscriber } from "./servers/mailerlite.ts"

import { ytVideos } from "./servers/youtube.ts"

// The demo channel's own video ids (test/support/servers/youtube.ts), so sign-ups attribute to videos the warehouse knows.
const videos = ytVideos("2026-11-20", 3).map((v) => v.id)
const pages = ["/posts/solo-backend", "/posts/postgres-roles", "/posts/heros-journey", "/posts/seo-basics", "/posts/no-clicks-yet"]
const utms = [
  { source: "youtube", medium: "video", campaign: "launch" },
  { source: "newsletter", medium: "email", campaign: "november-issue" },
  { source: "google", medium: "organic" },
  { source: "twitter", medium: "social", campaign: "launch" },
  {}
]

export interface SeededProduct {
  readonly users: ReadonlyArray<{ id: string; email: string; name: string }>
  readonly succeededCents: number
  readonly refundedCents: number
}

export const seedProduct = (options: { readonly today: string; readonly users: number; readonly newsletter: ReadonlyArray<NewsletterSubscriber> }) =>
  Effect.gen(function*() {
    const product = yield* Product
    const users: Array<{ id: string; email: string; name: string }> = []
    let succeededCents = 0
    let refundedCents = 0
    for (let i = 0; i < options.users; i++) {
      const subscriber = i % 3 === 0 ? options.newsletter[i % options.newsletter.length] : undefined
      // Subscribers sign up with the same address, typed differently: pseudonyms must still match.
      const email = subscriber !== undefined ? subscriber.email.toUpperCase() : `user${i}@customers.example.org`
      const name = subscriber !== undefined ? `${subscriber.name} ${subscriber.lastName}` : `Customer ${i}`
      const id = `u-${i}`
      const utm = utms[i % utms.length]!
      const signedUpAt = new Date(Date.parse(`${options.today}T10:00:00Z`) - (i % 60) * 86_400_000)
      yield* product.recordSignup({
        user: { id, email, name },
        signedUpAt,
        utm,
        landingPage: `https://blog.example.com${pages[i % pages.length]}?ref=home`,
        referrer: "https://www.youtube.com/",
        ...(utm.source === "youtube" ? { videoId: videos[i % videos.length]! } : {}),
        plan: i % 4 === 0 ? "pro" : "free"
      })
      yield* product.recordEvents([
        { id: `e-${i}-1`, userId: id, name: "page_load", occurredAt: signedUpAt, durationMs: 80 + (i % 7) * 30 },
        { id: `e-${i}-2`, userId: id, name: "export", occurredAt: signedUpAt, durationMs: 200 + (i % 5) * 50, properties: { rows: i } }
      ])
      if (i % 4 === 0) {
        const refunded = i % 12 === 0
        yield* product.recordPayment({
          id: `pi_${i}`, userId: id, amountCents: 900, currency: "EUR", status: refunded ? "refunded" : "succeeded",
          paidAt: new Date(signedUpAt.getTime() + 3_600_000), provider: "stripe"
        })
        if (refunded) refundedCents += 900
        else succeededCents += 900
      }
      users.push({ id, email, name })
    }
    return { users, succeededCents, refundedCents } satisfies SeededProduct
  })
