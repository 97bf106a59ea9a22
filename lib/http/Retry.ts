/**
 * Retry timing: truncated exponential backoff with full jitter, and
 * Retry-After honoured in both of its forms (delta-seconds, including 0, and an
 * HTTP-date), never looping without bound.
 */
import { Option } from "effect"

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number
  readonly baseMillis: number
  readonly capMillis: number
  /** The longest Retry-After we are willing to sleep; longer ones end the retries. */
  readonly maxRetryAfterMillis: number
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseMillis: 1000, capMillis: 32_000, maxRetryAfterMillis: 120_000 }

/** Parses Retry-After: seconds ("0", "120") or an HTTP-date; a past date is 0. */
export const retryAfterMillis = (header: string | null | undefined, now: number): Option.Option<number> => {
  if (header === null || header === undefined) return Option.none()
  const value = header.trim()
  if (/^\d+$/.test(value)) return Option.some(Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? Option.none() : Option.some(Math.max(0, date - now))
}

/** The backoff before attempt `attempt + 1` (attempt counts from 1), with full jitter. */
export const backoffMillis = (attempt: number, policy: RetryPolicy, random: number = Math.random()) =>
  Math.floor(random * Math.min(policy.capMillis, policy.baseMillis * 2 ** (attempt - 1)))

/** How long to wait before the next attempt: the larger of the backoff and Retry-After. */
export const nextDelay = (attempt: number, policy: RetryPolicy, retryAfter: Option.Option<number>, random?: number) =>
  Math.max(backoffMillis(attempt, policy, random), Option.getOrElse(retryAfter, () => 0))
