/**
 * Turning values into text that is safe for logs, `ops.task_runs.args` and
 * `ops.errors`: `Redacted` values print as `<redacted>`, credentials in URLs
 * are masked, and keys that name secrets are blanked.
 */
import { Option, Redacted } from "effect"

const secretKey = /pass(word)?|secret|token|key|credential|authorization|cookie|identity/i

/**
 * Masks the password of any `scheme://user:password@host` in a text, and secret-named query parameters
 * (`?apikey=…`, `&access_token=…`: some APIs, like Bing Webmaster's, take the key in the URL).
 */
export const scrubText = (text: string): string =>
  text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, "$1:<redacted>@")
    .replace(/([?&](?:api_?key|access_token|token|key|secret|password)=)[^&\s"']+/gi, "$1<redacted>")

/** A JSON-safe copy of a value with secrets removed; Options become their value or null. */
export const toSafeJson = (value: unknown, depth = 0): unknown => {
  if (depth > 6) return "…"
  if (Redacted.isRedacted(value)) return "<redacted>"
  if (Option.isOption(value)) return Option.isSome(value) ? toSafeJson(value.value, depth + 1) : null
  if (value === null || value === undefined) return null
  if (typeof value === "string") return scrubText(value)
  if (typeof value === "number" || typeof value === "boolean") return value
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((v) => toSafeJson(v, depth + 1))
  if (typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith("_") || typeof v === "function") continue
      out[key] = secretKey.test(key) && !Redacted.isRedacted(v) && typeof v !== "object" ? "<redacted>" : toSafeJson(v, depth + 1)
    }
    return out
  }
  return String(value)
}
