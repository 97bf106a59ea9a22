import { describe } from "@effect/vitest"
import { breakages } from "./breakage.ts"
import { testBreakages } from "./support.ts"

describe("every live attack can succeed: break the layout, the audit names the check", () => {
  testBreakages(breakages.filter((b) => b.check.startsWith("L")))
})
