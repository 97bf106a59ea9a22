import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option } from "effect"
import { parseProducts, settingsConfig } from "./Settings.ts"

const read = (env: Record<string, string>) =>
  settingsConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))), Effect.either)

describe("settings", () => {
  it("parses products with default and explicit databases", () => {
    expect(parseProducts("demo, heros=heros_journey")).toEqual(
      Either.right([{ name: "demo", database: "app_demo" }, { name: "heros", database: "heros_journey" }])
    )
  })

  it.each(["Bad", "1abc", "a-b", "a=b=c", "demo,demo", "x=postgres", "toolong_" + "x".repeat(40)])(
    "rejects the product list %s, naming SOLOHUB_PRODUCTS",
    (raw) => {
      const parsed = parseProducts(raw)
      expect(Either.isLeft(parsed)).toBe(true)
      expect(String(Either.isLeft(parsed) ? parsed.left : "")).toContain("SOLOHUB_PRODUCTS")
    }
  )

  it.effect("defaults: embedded server under .solohub, one demo product, hub database", () =>
    Effect.gen(function*() {
      const settings = yield* read({})
      expect(Either.isRight(settings)).toBe(true)
      if (Either.isLeft(settings)) return
      expect(settings.right.home.endsWith(".solohub")).toBe(true)
      expect(Option.isNone(settings.right.adminUrl)).toBe(true)
      expect(settings.right.products).toEqual([{ name: "demo", database: "app_demo" }])
      expect(settings.right.hubDatabase).toBe("hub")
    }))

  it.effect("a malformed port or namespace names its variable", () =>
    Effect.gen(function*() {
      expect(String(yield* read({ SOLOHUB_PG_PORT: "80" }))).toContain("SOLOHUB_PG_PORT")
      expect(String(yield* read({ SOLOHUB_NAMESPACE: "Bad Name" }))).toContain("SOLOHUB_NAMESPACE")
      expect(String(yield* read({ SOLOHUB_HUB_DATABASE: "hub;drop" }))).toContain("SOLOHUB_HUB_DATABASE")
    }))
})
