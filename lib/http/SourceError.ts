/** What can go wrong talking to an external API, classified so callers know what to do. */
import { Schema } from "effect"

export class SourceError extends Schema.TaggedError<SourceError>("solohub/SourceError")("SourceError", {
  source: Schema.String,
  stream: Schema.String,
  reason: Schema.Literal(
    "RateLimited", // 429 or a quota 403: retried, then this
    "Unavailable", // 5xx: retried, then this
    "Network", // connection reset, timeout: retried, then this
    "Unauthorized", // 401 after one token refresh: credentials are wrong
    "Forbidden", // 403 that is not a quota: the identity lacks access
    "BadRequest", // 400: our request is wrong
    "Drift", // the response does not match the schema (or is not JSON)
    "QuotaExhausted", // our persisted daily budget is spent
    "Config" // credentials or settings are missing or invalid
  ),
  message: Schema.String
}) {}
