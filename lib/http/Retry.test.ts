import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { backoffMillis, defaultRetryPolicy, nextDelay, retryAfterMillis } from "./Retry.ts"

describe("retry timing", () => {
  const now = Date.parse("2026-11-22T12:00:00Z")
  it("reads Retry-After as seconds (including 0) or an HTTP-date, and ignores garbage", () => {
    expect(retryAfterMillis("0", now)).toEqual(Option.some(0))
    expect(retryAfterMillis("120", now)).toEqual(Option.some(120_000))
    expect(retryAfterMillis("Sun, 22 Nov 2026 12:00:30 GMT", now)).toEqual(Option.some(30_000))
    expect(retryAfterMillis("Sun, 22 Nov 2026 11:00:00 GMT", now)).toEqual(Option.some(0))
    expect(retryAfterMillis("soon", now)).toEqual(Option.none())
    expect(retryAfterMillis(undefined, now)).toEqual(Option.none())
  })

  it("backs off exponentially with full jitter, capped", () => {
    expect(backoffMillis(1, defaultRetryPolicy, 1)).toBe(1000)
    expect(backoffMillis(3, defaultRetryPolicy, 1)).toBe(4000)
    expect(backoffMillis(20, defaultRetryPolicy, 1)).toBe(defaultRetryPolicy.capMillis)
    expect(backoffMillis(3, defaultRetryPolicy, 0)).toBe(0)
  })

  it("waits the longer of the backoff and Retry-After", () => {
    expect(nextDelay(1, defaultRetryPolicy, Option.some(5000), 1)).toBe(5000)
    expect(nextDelay(4, defaultRetryPolicy, Option.some(0), 1)).toBe(8000)
  })
})
