import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { pseudonymKey } from "../lib/pii/Pseudonymize.ts"
import { makeTestEnv } from "../test/support/TestEnv.ts"
import { allChecks } from "./Audit.ts"
import { breakages } from "./breakage.ts"
import { asAdmin, auditAfter, testBreakages } from "./support.ts"

// C18 has a server of its own (breakage-hba.test.ts); C24 writes the test key below.
const separatelyTested = new Set(["C18", "C24"])

describe("every check can fail: break the layout, the audit names the check", () => {
  it("every check has a breakage", () => {
    const covered = new Set([...breakages.map((b) => b.check), ...separatelyTested])
    expect(allChecks.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([])
  })

  testBreakages(breakages.filter((b) => b.check.startsWith("C")))

  it.live("C24 fails when the pseudonymization key is written into the database", () =>
    Effect.gen(function*() {
      const key = Redacted.value(yield* pseudonymKey)
      const results = yield* auditAfter({
        target: "C24",
        breakIt: asAdmin([`INSERT INTO ops.errors (task, error_tag, message) VALUES ('leak', 'Leak', 'key was ${key}')`])
      })
      const result = results.find((r) => r.id === "C24")!
      expect(result.status).toBe("fail")
      expect(result.findings.join(" ")).toContain("ops.errors.message")
      expect(result.findings.join(" ")).not.toContain(key)
    }).pipe(Effect.provide(makeTestEnv().layer)), 60_000)
})
