import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import * as Scram from "./Scram.ts"

describe("SCRAM verifiers", () => {
  it("match the password they were made from and no other", () => {
    const password = Redacted.make(`it's "quoted" \\ and ünïcode`)
    const stored = Scram.verifier(password)
    expect(stored).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/)
    expect(stored).not.toContain("quoted")
    expect(Scram.matches(stored, password)).toBe(true)
    expect(Scram.matches(stored, Redacted.make("something else"))).toBe(false)
    expect(Scram.matches(null, password)).toBe(false)
    expect(Scram.matches("md5abc", password)).toBe(false)
  })

  it("uses a fresh salt each time", () => {
    const password = Redacted.make("same password")
    expect(Scram.verifier(password)).not.toBe(Scram.verifier(password))
  })
})
