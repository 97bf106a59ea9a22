/**
 * Retry timing: truncated exponential backoff with full jitter, and
 * Retry-After honoured in both of its forms (delta-seconds, including 0, and an
 * HTTP-date), never looping without bound.
 */
import { Config, Option } from "effect"

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number
  readonly baseMillis: number
  readonly capMillis: number
  /** The longest Retry-After we are willing to sleep; longer ones end the retries. */
  readonly maxRetryAfterMillis: number
  /** How long one attempt may take before it counts as a timeout (and is retried). */
  readonly timeoutMillis: number
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseMillis: 1000, capMillis: 32_000, maxRetryAfterMillis: 120_000, timeoutMillis: 30_000 }

const positive = (name: string, fallback: number) =>
  Config.integer(name).pipe(Config.withDefault(fallback), Config.validate({ message: `${name} must be a positive integer`, validation: (n) => n > 0 }))

/** The retry policy every connector uses, from SOLOHUB_HTTP_* (the same for every source). */
export const retryPolicyConfig: Config.Config<RetryPolicy> = Config.all({
  maxAttempts: positive("SOLOHUB_HTTP_MAX_ATTEMPTS", defaultRetryPolicy.maxAttempts),
  baseMillis: positive("SOLOHUB_HTTP_RETRY_BASE_MS", defaultRetryPolicy.baseMillis),
  capMillis: positive("SOLOHUB_HTTP_RETRY_CAP_MS", defaultRetryPolicy.capMillis),
  maxRetryAfterMillis: positive("SOLOHUB_HTTP_MAX_RETRY_AFTER_MS", defaultRetryPolicy.maxRetryAfterMillis),
  timeoutMillis: positive("SOLOHUB_HTTP_TIMEOUT_MS", defaultRetryPolicy.timeoutMillis)
})

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
