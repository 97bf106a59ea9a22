/**
 * Pseudonymization: a keyed HMAC-SHA256 over a normalized value, so the same
 * person's email in the newsletter and in a product app yields the same key
 * and the warehouse can join them, while neither is readable. The key comes
 * from SOLOHUB_PSEUDONYM_KEY as a Redacted value and never enters the
 * database, a log or an error. Rotating it changes every key (docs/security.md).
 */
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import { createHmac } from "node:crypto"
import { loadLocalSecrets } from "../config/LocalSecrets.ts"
import { settingsConfig } from "../config/Settings.ts"
import type { PiiKind } from "./Pii.ts"

/** At least 32 characters (e.g. `openssl rand -base64 32`). */
export const minimumKeyLength = 32

export const pseudonymKeyConfig = Config.redacted("SOLOHUB_PSEUDONYM_KEY").pipe(
  Config.validate({
    message: `SOLOHUB_PSEUDONYM_KEY must be at least ${minimumKeyLength} characters (generate one with: openssl rand -base64 32)`,
    validation: (key) => Redacted.value(key).length >= minimumKeyLength
  })
)

const collapse = (value: string) => value.normalize("NFKC").trim().replace(/\s+/g, " ")

/** The normal form of a value of a kind, so trivially different spellings hash alike. */
export const normalize = (kind: PiiKind, value: string): string => {
  switch (kind) {
    case "email":
      return value.normalize("NFKC").trim().toLowerCase()
    case "name":
    case "location":
    case "address":
      return collapse(value).toLowerCase()
    case "username":
      return value.trim().replace(/^@/, "").toLowerCase()
    case "ip": {
      const ip = value.trim().toLowerCase()
      return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip
    }
    case "phone": {
      const trimmed = value.trim()
      return (trimmed.startsWith("+") ? "+" : "") + trimmed.replace(/\D/g, "")
    }
    case "identifier":
    case "free_text":
    case "financial":
      return collapse(value)
  }
}

export interface PseudonymizerShape {
  /** The pseudonymous key of a value: 64 hex characters. */
  readonly key: (kind: PiiKind, value: string) => string
  /** As `key`, passing null and empty values through as null. */
  readonly keyOrNull: (kind: PiiKind, value: string | null | undefined) => string | null
}

/** A pseudonymizer for a key (exposed for tests and the key-rotation tooling). */
export const make = (secret: Redacted.Redacted<string>): PseudonymizerShape => {
  const key = (kind: PiiKind, value: string) =>
    createHmac("sha256", Redacted.value(secret)).update(`${kind}:${normalize(kind, value)}`).digest("hex")
  return {
    key,
    keyOrNull: (kind, value) => (value === null || value === undefined || value.trim() === "" ? null : key(kind, value))
  }
}

/**
 * The key: SOLOHUB_PSEUDONYM_KEY; with the embedded default and no key set,
 * the one generated once in the local secrets file. A missing or short key
 * stops the task before any work.
 */
export const pseudonymKey = Effect.gen(function*() {
  const settings = yield* settingsConfig
  const configured = yield* Config.option(Config.redacted("SOLOHUB_PSEUDONYM_KEY"))
  if (Option.isNone(configured) && Option.isNone(settings.adminUrl)) {
    return (yield* loadLocalSecrets(settings.home, [])).pseudonymKey
  }
  return yield* pseudonymKeyConfig
})

export class Pseudonymizer extends Context.Tag("solohub/pii/Pseudonymizer")<Pseudonymizer, PseudonymizerShape>() {
  static readonly layer = Layer.effect(Pseudonymizer, Effect.map(pseudonymKey, make))
}
