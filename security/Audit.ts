/**
 * The audit: runs every check, then proves the documented controls. Each
 * control in docs/security.md names the checks that prove it; the audit fails
 * when any check fails or errors, when a documented control names no check or
 * a check that does not exist, and when a check proves no documented control.
 */
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { toSafeJson } from "../lib/config/Redact.ts"
import { scrubText } from "../lib/config/Redact.ts"
import { Cluster } from "../lib/db/Cluster.ts"
import { Admin, connect, roleParams } from "../lib/db/Connections.ts"
import { Layout } from "../lib/db/Layout.ts"
import { assistantDefaults, assistantRoleSettings } from "../lib/db/Provision.ts"
import { pseudonymKey } from "../lib/pii/Pseudonymize.ts"
import type { AnyTable } from "../lib/pii/Table.ts"
import { allTables } from "../lib/tables.ts"
import { catalogChecks } from "./catalogChecks.ts"
import type { AuditEnv, Check, CheckResult } from "./Check.ts"
import { liveChecks } from "./liveChecks.ts"

export const allChecks: ReadonlyArray<Check> = [...catalogChecks, ...liveChecks]

export interface Control {
  readonly id: string
  readonly title: string
  readonly checks: ReadonlyArray<string>
}

const controlsFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "docs", "security.md")

/** Reads the controls table of docs/security.md: `| SEC-xx | title | C01, L02 |`. */
export const parseControls = (markdown: string): ReadonlyArray<Control> =>
  markdown.split("\n").flatMap((line) => {
    const cells = line.split("|").map((c) => c.trim())
    const id = cells[1] ?? ""
    if (!/^SEC-\d+$/.test(id)) return []
    const checks = (cells[3] ?? "").split(/[,\s]+/).map((c) => c.replaceAll("`", "")).filter((c) => c !== "")
    return [{ id, title: cells[2] ?? "", checks }]
  })

export interface ControlResult extends Control {
  readonly status: "proven" | "unproven"
  readonly why: ReadonlyArray<string>
}

export interface AuditReport {
  readonly passed: boolean
  readonly checks: ReadonlyArray<CheckResult>
  readonly controls: ReadonlyArray<ControlResult>
  /** Problems with the documentation itself (unknown check ids, unproven checks). */
  readonly documentation: ReadonlyArray<string>
}

/** Runs one check; an error is a failure that says what went wrong. */
export const runCheck = (check: Check, env: AuditEnv): Effect.Effect<CheckResult> =>
  Effect.scoped(check.run(env)).pipe(
    Effect.map((findings): CheckResult => ({
      id: check.id,
      kind: check.kind,
      title: check.title,
      severity: check.severity,
      remediation: check.remediation,
      status: findings.length === 0 ? "pass" : "fail",
      findings: findings.map(scrubText)
    })),
    Effect.catchAllCause((cause) =>
      Effect.succeed<CheckResult>({
        id: check.id,
        kind: check.kind,
        title: check.title,
        severity: check.severity,
        remediation: check.remediation,
        status: "error",
        findings: [`the check could not run: ${scrubText(String((toSafeJson(cause) as { failure?: { message?: string } })?.failure?.message ?? cause))}`]
      })
    )
  )

/** Judges the documented controls against check results. */
export const judgeControls = (
  controls: ReadonlyArray<Control>,
  checks: ReadonlyArray<Check>,
  results: ReadonlyArray<CheckResult>
): { controls: ReadonlyArray<ControlResult>; documentation: ReadonlyArray<string> } => {
  const known = new Set(checks.map((c) => c.id))
  const judged = controls.map((control): ControlResult => {
    const why: Array<string> = []
    if (control.checks.length === 0) why.push("no check proves it")
    for (const id of control.checks) {
      const result = results.find((r) => r.id === id)
      if (!known.has(id)) why.push(`${id} is not a check`)
      else if (result === undefined) why.push(`${id} did not run`)
      else if (result.status !== "pass") why.push(`${id} ${result.status === "fail" ? "failed" : "could not run"}`)
    }
    return { ...control, status: why.length === 0 ? "proven" : "unproven", why }
  })
  const documented = new Set(controls.flatMap((c) => c.checks))
  const documentation = checks.filter((c) => !documented.has(c.id)).map((c) => `check ${c.id} proves no documented control`)
  if (controls.length === 0) documentation.push("docs/security.md documents no control")
  return { controls: judged, documentation }
}

/** The audit's environment, from the admin connection and configuration. */
export const auditEnv = (tables: ReadonlyArray<AnyTable> = allTables) =>
  Effect.gen(function*() {
    const admin = yield* Admin
    const layout = yield* Layout
    const cluster = yield* Cluster
    const key = yield* Effect.option(pseudonymKey)
    return {
      layout,
      tables,
      admin: admin.connect,
      assistant: (database?: string) =>
        Effect.flatMap(
          roleParams("mcp_ro", database ?? layout.hubDatabase).pipe(
            Effect.provideService(Cluster, cluster),
            Effect.provideService(Layout, layout)
          ),
          (params) => connect(params, { applicationName: "solohub:audit", maxConnections: 1, credentialsHint: "SOLOHUB_MCP_RO_PASSWORD" })
        ),
      adminUser: admin.params.user,
      pseudonymKey: Option.getOrUndefined(key),
      assistantSettings: assistantRoleSettings(),
      assistantConnectionLimit: assistantDefaults.connectionLimit,
      assistantStatementTimeoutMs: Number.parseInt(assistantDefaults.statementTimeout, 10) * 1000
    } satisfies AuditEnv
  })

/** Runs every check and judges the controls documented in docs/security.md. */
export const audit = (options: { readonly tables?: ReadonlyArray<AnyTable>; readonly controlsMarkdown?: string } = {}) =>
  Effect.gen(function*() {
    const env = yield* auditEnv(options.tables)
    const results: Array<CheckResult> = []
    for (const check of allChecks) results.push(yield* runCheck(check, env))
    const markdown = options.controlsMarkdown ?? fs.readFileSync(controlsFile, "utf8")
    const { controls, documentation } = judgeControls(parseControls(markdown), allChecks, results)
    return {
      passed: results.every((r) => r.status === "pass") && controls.every((c) => c.status === "proven") && documentation.length === 0,
      checks: results,
      controls,
      documentation
    } satisfies AuditReport
  })

/** The report as a readable table. */
export const formatReport = (report: AuditReport): string => {
  const lines: Array<string> = []
  const width = Math.max(...report.checks.map((c) => c.title.length), 10)
  lines.push(`${"id".padEnd(4)} ${"status".padEnd(6)} ${"severity".padEnd(8)} check`)
  lines.push(`${"-".repeat(4)} ${"-".repeat(6)} ${"-".repeat(8)} ${"-".repeat(Math.min(width, 100))}`)
  for (const c of report.checks) {
    lines.push(`${c.id.padEnd(4)} ${c.status.toUpperCase().padEnd(6)} ${c.severity.padEnd(8)} ${c.title}`)
    if (c.status !== "pass") {
      for (const f of c.findings.slice(0, 10)) lines.push(`                     - ${f}`)
      if (c.findings.length > 10) lines.push(`                     … and ${c.findings.length - 10} more`)
      lines.push(`                     fix: ${c.remediation}`)
    }
  }
  lines.push("", "controls (docs/security.md):")
  for (const c of report.controls) {
    lines.push(`${c.id.padEnd(7)} ${c.status === "proven" ? "PROVEN  " : "UNPROVEN"} ${c.title} [${c.checks.join(", ")}]${c.why.length > 0 ? ` — ${c.why.join("; ")}` : ""}`)
  }
  for (const d of report.documentation) lines.push(`documentation: ${d}`)
  const failed = report.checks.filter((c) => c.status !== "pass").length
  lines.push("", report.passed
    ? `audit passed: ${report.checks.length} checks, ${report.controls.length} controls proven`
    : `audit FAILED: ${failed} of ${report.checks.length} checks did not pass, ${report.controls.filter((c) => c.status !== "proven").length} controls unproven`)
  return lines.join("\n")
}

