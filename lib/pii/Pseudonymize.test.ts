import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Redacted } from "effect"
import { make, normalize, Pseudonymizer } from "./Pseudonymize.ts"

const key = Redacted.make("k".repeat(40))

describe("pseudonymization", () => {
  it("joins the same email across sources, whatever its spelling", () => {
    const p = make(key)
    expect(p.key("email", "  Ada.Lovelace@Example.COM ")).toBe(p.key("email", "ada.lovelace@example.com"))
    expect(p.key("email", "ada@example.com")).toMatch(/^[0-9a-f]{64}$/)
    expect(p.key("email", "ada@example.com")).not.toBe(p.key("email", "bob@example.com"))
  })

  it("depends on the key: another key gives other pseudonyms", () => {
    expect(make(key).key("email", "ada@example.com")).not.toBe(make(Redacted.make("x".repeat(40))).key("email", "ada@example.com"))
  })

  it("separates kinds, and passes empty values through as null", () => {
    const p = make(key)
    expect(p.key("name", "ada")).not.toBe(p.key("username", "ada"))
    expect(p.keyOrNull("email", null)).toBeNull()
    expect(p.keyOrNull("email", "  ")).toBeNull()
  })

  it("normalizes by kind", () => {
    expect(normalize("name", "  Ada   LOVELACE ")).toBe("ada lovelace")
    expect(normalize("phone", "+49 (30) 123-45")).toBe("+493012345")
    expect(normalize("ip", "::ffff:10.0.0.1")).toBe("10.0.0.1")
    expect(normalize("username", "@Ada")).toBe("ada")
  })

  it.effect("a missing or short key stops before any work, naming the variable but not the value", () =>
    Effect.gen(function*() {
      const read = (map: Record<string, string>) =>
        Effect.either(Effect.provide(Pseudonymizer, Pseudonymizer.layer).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(map))))
        ))
      const missing = yield* read({ SOLOHUB_ADMIN_URL: "postgres://u:p@127.0.0.1:5432/postgres" })
      expect(Either.isLeft(missing) && String(missing.left)).toContain("SOLOHUB_PSEUDONYM_KEY")
      const short = yield* read({ SOLOHUB_PSEUDONYM_KEY: "tooshort-secret" })
      expect(Either.isLeft(yield* read({ SOLOHUB_ADMIN_URL: "postgres://u:p@127.0.0.1:5432/postgres", SOLOHUB_PSEUDONYM_KEY: "y".repeat(32) }))).toBe(false)
      expect(Either.isLeft(short)).toBe(true)
      expect(String(Either.isLeft(short) ? short.left : "")).toContain("at least 32")
      expect(String(Either.isLeft(short) ? short.left : "")).not.toContain("tooshort-secret")
    }))
})
