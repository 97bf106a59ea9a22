import { describe, expect, it, layer } from "@effect/vitest"
import * as fs from "node:fs"
import { Effect } from "effect"
import { audit, formatReport, judgeControls, parseControls, allChecks } from "./Audit.ts"
import { makeTestEnv } from "../test/support/TestEnv.ts"
import { provision } from "../lib/db/Provision.ts"

describe("the audit on a clean layout", () => {
  layer(makeTestEnv().layer, { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect("passes every check and proves every documented control", () =>
      Effect.gen(function*() {
        yield* provision()
        const report = yield* audit()
        expect(report.checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.findings.join("; ")}`)).toEqual([])
        expect(report.documentation).toEqual([])
        expect(report.controls.every((c) => c.status === "proven")).toBe(true)
        expect(report.passed).toBe(true)
        expect(formatReport(report)).toContain("audit passed")
      }))

    it.effect("on a layout it does not recognize (nothing provisioned) fails with a clear report instead of crashing", () =>
      Effect.gen(function*() {
        const report = yield* audit().pipe(Effect.provide(makeTestEnv().layer))
        expect(report.passed).toBe(false)
        const c01 = report.checks.find((c) => c.id === "C01")!
        expect(c01.status).not.toBe("pass")
        expect(c01.findings.join(" ")).toContain("does not exist")
        expect(report.checks.find((c) => c.id === "L01")!.status).not.toBe("pass")
      }))
  })
})

describe("documented controls", () => {
  const ids = allChecks.map((c) => c.id)
  const results = allChecks.map((c) => ({ id: c.id, kind: c.kind, title: c.title, severity: c.severity, remediation: c.remediation, status: "pass" as const, findings: [] }))
  const full = `| SEC-01 | all | ${ids.join(", ")} |`

  {
    it("a control with no check is unproven", () => {
      const { controls } = judgeControls(parseControls(`${full}\n| SEC-02 | promised, never checked | |`), allChecks, results)
      expect(controls.find((c) => c.id === "SEC-02")).toMatchObject({ status: "unproven", why: ["no check proves it"] })
    })
    it("a control naming a check that does not exist is unproven", () => {
      const { controls } = judgeControls(parseControls(`${full}\n| SEC-02 | x | C99 |`), allChecks, results)
      expect(controls.find((c) => c.id === "SEC-02")!.why).toEqual(["C99 is not a check"])
    })
    it("a control whose check did not run or failed is unproven", () => {
      const partial = results.filter((r) => r.id !== "L05").map((r) => (r.id === "C01" ? { ...r, status: "fail" as const } : r))
      const { controls } = judgeControls(parseControls(`| SEC-01 | x | C01, L05 |`), allChecks, partial)
      expect(controls[0]!.why).toEqual(["C01 failed", "L05 did not run"])
    })
    it("a check that proves no documented control is reported", () => {
      const { documentation } = judgeControls(parseControls(`| SEC-01 | x | C01 |`), allChecks, results)
      expect(documentation).toContain("check C02 proves no documented control")
    })
    it("docs/security.md maps every check to a control", () => {
      const markdown = fs.readFileSync("docs/security.md", "utf8")
      const documented = new Set(parseControls(markdown).flatMap((c) => c.checks))
      expect(ids.filter((id) => !documented.has(id))).toEqual([])
    })
  }
})
