/**
 * What an audit check is: an id, the control it proves, a severity, a
 * remediation hint, and an effect that returns its findings (none: pass).
 * A check that errors counts as failed: a control is proven only by a check
 * that ran and passed.
 */
import type { PgClient } from "@effect/sql-pg"
import type { ConfigError, Effect, Redacted, Scope } from "effect"
import type { ClusterError } from "../lib/db/errors.ts"
import type { LayoutShape } from "../lib/db/Layout.ts"
import type { AnyTable } from "../lib/pii/Table.ts"

export type Severity = "critical" | "high" | "medium" | "low"

export interface AuditEnv {
  readonly layout: LayoutShape
  readonly tables: ReadonlyArray<AnyTable>
  /** The admin client on a database (catalog checks read as the admin). */
  readonly admin: (database: string) => Effect.Effect<PgClient.PgClient, ClusterError, Scope.Scope>
  /** A client as the assistant's role (mcp_ro) on a database (the hub by default). */
  readonly assistant: (database?: string) => Effect.Effect<PgClient.PgClient, ClusterError | ConfigError.ConfigError, Scope.Scope>
  /** The admin user's name (never a target the assistant may become). */
  readonly adminUser: string
  /** The pseudonymization key, when configured, to prove it is nowhere in the database. */
  readonly pseudonymKey: Redacted.Redacted<string> | undefined
  /** The settings mcp_ro must have, and its connection limit. */
  readonly assistantSettings: ReadonlyArray<string>
  readonly assistantConnectionLimit: number
  readonly assistantStatementTimeoutMs: number
}

export interface Check {
  readonly id: string
  readonly kind: "catalog" | "live"
  readonly title: string
  readonly severity: Severity
  readonly remediation: string
  readonly run: (env: AuditEnv) => Effect.Effect<ReadonlyArray<string>, unknown, Scope.Scope>
}

export type CheckStatus = "pass" | "fail" | "error"

export interface CheckResult {
  readonly id: string
  readonly kind: Check["kind"]
  readonly title: string
  readonly severity: Severity
  readonly status: CheckStatus
  readonly findings: ReadonlyArray<string>
  readonly remediation: string
}
