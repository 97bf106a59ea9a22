import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeTestEnv } from "../test/support/TestEnv.ts"
import { breakages } from "./breakage.ts"
import { asAdmin, auditAfter } from "./support.ts"

describe("every live attack can succeed: break the layout, the audit names the check", () => {
  for (const breakage of breakages.filter((b) => b.check.startsWith("L"))) {
    it.live(`${breakage.check} fails when we ${breakage.how}`, () =>
      Effect.gen(function*() {
        const results = yield* auditAfter({
          target: breakage.check,
          ...(breakage.tables ? { tables: breakage.tables } : {}),
          breakIt: asAdmin(breakage.statements, breakage.onProduct ? "app" : undefined)
        })
        const result = results.find((r) => r.id === breakage.check)!
        expect(result.status, result.findings.join("; ")).toBe("fail")
        expect(result.findings.length).toBeGreaterThan(0)
      }).pipe(Effect.provide(makeTestEnv().layer)), 60_000)
  }

})
