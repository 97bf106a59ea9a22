/**
 * One call to an external API, the way every connector makes it: through
 * @effect/platform's HttpClient (undici), with a bearer token, a timeout,
 * retries for 429/5xx/timeouts/resets (backoff with jitter, Retry-After
 * honoured), one token refresh on 401, and the body (JSON, or text such as a
 * CSV report; gzip-compressed bodies are inflated) decoded with a Schema.
 * A body that does not decode is drift: the error names source, stream, field
 * path, what was expected and what came, and the raw body is handed back for
 * replay.
 */
import { type Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Either, Option, ParseResult, type RateLimiter, Redacted, Schema } from "effect"
import { gunzipSync } from "node:zlib"
import { nextDelay, retryAfterMillis, type RetryPolicy } from "./Retry.ts"
import { SourceError } from "./SourceError.ts"

export interface Auth {
  /** A current access token (cached until it expires). */
  readonly token: Effect.Effect<string, SourceError>
  /** Forgets the cached token, after a 401; absent for a fixed API token (a 401 then fails at once). */
  readonly invalidate?: Effect.Effect<void>
}

/** A fixed API token from configuration (Clarity, MailerLite…): sent as a bearer token, never logged. */
export const apiToken = (secret: Redacted.Redacted<string>): Auth => ({ token: Effect.sync(() => Redacted.value(secret)) })

/**
 * How a source classifies a non-2xx answer beyond the defaults: "retry" (Google's quota 403s are rate limits),
 * "quota" (the source's daily quota is gone: retrying today is futile, as with Clarity's 429), "unauthorized" and
 * "forbidden" (sources that report auth failures in the body of a 400, like Bing's API faults).
 */
export type Classify = (status: number, body: string) => "retry" | "quota" | "unauthorized" | "forbidden" | "default"

export interface CallOptions<A, I, E = never> {
  readonly source: string
  readonly stream: string
  readonly request: HttpClientRequest.HttpClientRequest
  /** Decodes the parsed JSON, or with `format: "text"` the body's text itself (a CSV report). */
  readonly schema: Schema.Schema<A, I>
  readonly format?: "json" | "text"
  readonly auth?: Auth
  readonly policy: RetryPolicy
  readonly timeout?: Duration.DurationInput
  readonly classify?: Classify
  /** The source's request rate (requests per interval), applied to every attempt. */
  readonly limiter?: RateLimiter.RateLimiter
  /**
   * Runs before every attempt, retries included: where an API counts each
   * request against a daily quota (Clarity, YouTube), this spends it, so a
   * retry storm cannot overspend.
   */
  readonly beforeAttempt?: Effect.Effect<void, E>
  /** Where a source says how long to wait when it has no Retry-After (X: x-rate-limit-reset, epoch seconds). */
  readonly retryAfterFrom?: (headers: Headers.Headers, now: number) => Option.Option<number>
}

export interface CallResult<A> {
  readonly value: A
  /** The body as received, for the raw payload store. */
  readonly raw: string
  readonly attempts: number
  /** The response headers (rate-limit state, paging links). */
  readonly headers: Headers.Headers
}

/** A drift error with the raw body that caused it, so the caller can keep it for replay. */
export interface Drifted {
  readonly error: SourceError
  readonly raw: string
}

/**
 * The body as text; a gzip body (magic bytes 1f 8b, as report downloads may be) is inflated first, and one that
 * does not inflate says why (its text is then the bytes in base64, which the payload store can hold).
 */
const bodyText = (bytes: ArrayBuffer): { readonly text: string; readonly corrupt?: string } => {
  const buffer = Buffer.from(bytes)
  if (buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) {
    const inflated = Either.try({ try: () => gunzipSync(buffer), catch: (e) => (e as Error).message })
    return Either.isRight(inflated) ? { text: inflated.right.toString("utf8") } : { text: `base64:${buffer.toString("base64")}`, corrupt: inflated.left }
  }
  return { text: buffer.toString("utf8") }
}

const bytesOf = (base64: string) => Buffer.from(base64.slice("base64:".length), "base64").length

const snippet = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text)

export const call = <A, I, E = never>(options: CallOptions<A, I, E>): Effect.Effect<CallResult<A>, SourceError | Drifted | E, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const fail = (reason: SourceError["reason"], message: string) =>
      new SourceError({ source: options.source, stream: options.stream, reason, message: `${options.source}/${options.stream}: ${message}` })
    const tried: Array<string> = []
    let refreshed = false
    for (let attempt = 1; ; attempt++) {
      const token = options.auth === undefined ? undefined : yield* options.auth.token
      const request = token === undefined ? options.request : HttpClientRequest.bearerToken(options.request, token)
      if (options.beforeAttempt !== undefined) yield* options.beforeAttempt
      const execute = options.limiter === undefined ? client.execute(request) : options.limiter(client.execute(request))
      const outcome = yield* execute.pipe(
        Effect.flatMap((response) => Effect.map(response.arrayBuffer, (bytes) => ({ status: response.status, headers: response.headers, ...bodyText(bytes) }))),
        Effect.timeout(options.timeout ?? Duration.millis(options.policy.timeoutMillis)),
        Effect.either
      )
      let retryAfter = Option.none<number>()
      let retryReason: SourceError["reason"]
      if (Either.isLeft(outcome)) {
        const error = outcome.left
        tried.push(error._tag === "TimeoutException" ? "timeout" : `network error (${(error as { message?: string }).message ?? error._tag})`)
        retryReason = "Network"
      } else {
        const { status, headers, text, corrupt } = outcome.right
        if (status >= 200 && status < 300) {
          if (corrupt !== undefined) {
            return yield* Effect.fail<Drifted>({ error: fail("Drift", `the response is gzip data that does not inflate (${corrupt}; ${bytesOf(text)} bytes, kept in base64)`), raw: text })
          }
          const json = options.format === "text" ? Either.right<unknown>(text) : Either.try(() => JSON.parse(text) as unknown)
          if (Either.isLeft(json)) {
            return yield* Effect.fail<Drifted>({ error: fail("Drift", `the response is not valid JSON (${text.length} bytes: ${snippet(text)})`), raw: text })
          }
          const decoded = Schema.decodeUnknownEither(options.schema)(json.right, { onExcessProperty: "ignore" })
          if (Either.isLeft(decoded)) {
            const message = ParseResult.TreeFormatter.formatErrorSync(decoded.left)
            return yield* Effect.fail<Drifted>({ error: fail("Drift", `the response does not match its schema:\n${message}`), raw: text })
          }
          return { value: decoded.right, raw: text, attempts: attempt, headers }
        }
        tried.push(`HTTP ${status}`)
        retryAfter = retryAfterMillis(headers["retry-after"], Date.now())
        if (Option.isNone(retryAfter) && options.retryAfterFrom !== undefined && (status === 429 || status >= 500)) retryAfter = options.retryAfterFrom(headers, Date.now())
        const sourceSays = options.classify?.(status, text) ?? "default"
        if (status === 401 && options.auth?.invalidate !== undefined && !refreshed) {
          refreshed = true
          yield* options.auth.invalidate
          continue
        }
        if (sourceSays === "quota") return yield* fail("QuotaExhausted", `HTTP ${status}: the source's daily quota is spent (${snippet(text)}); the next run resumes tomorrow`)
        if (sourceSays === "unauthorized") return yield* fail("Unauthorized", `HTTP ${status}: the credentials were refused; check the key (${snippet(text)})`)
        if (sourceSays === "forbidden") return yield* fail("Forbidden", `HTTP ${status}: the identity lacks access (${snippet(text)})`)
        if (sourceSays === "retry" || status === 429 || status === 408) retryReason = "RateLimited"
        else if (status >= 500) retryReason = "Unavailable"
        else if (status === 401) return yield* fail("Unauthorized", `HTTP 401: the credentials were refused; check the token (${snippet(text)})`)
        else if (status === 403) return yield* fail("Forbidden", `HTTP 403: the identity lacks access (${snippet(text)})`)
        else return yield* fail("BadRequest", `HTTP ${status}: ${snippet(text)}`)
      }
      if (attempt >= options.policy.maxAttempts) {
        return yield* fail(retryReason, `gave up after ${attempt} attempts (${tried.join(", ")})`)
      }
      if (Option.isSome(retryAfter) && retryAfter.value > options.policy.maxRetryAfterMillis) {
        return yield* fail(retryReason, `asked to retry after ${Math.round(retryAfter.value / 1000)} s, longer than we wait (${tried.join(", ")})`)
      }
      yield* Effect.sleep(Duration.millis(nextDelay(attempt, options.policy, retryAfter)))
    }
  })
