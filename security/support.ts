/** Test support for the audit's own tests: a fresh provisioned namespace, broken on purpose. */
import { expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { makeTestEnv } from "../test/support/TestEnv.ts"
import { Admin } from "../lib/db/Connections.ts"
import { Layout } from "../lib/db/Layout.ts"
import { provision } from "../lib/db/Provision.ts"
import { ident } from "../lib/db/Quote.ts"
import { pii } from "../lib/pii/Pii.ts"
import * as Table from "../lib/pii/Table.ts"
import type { AnyTable } from "../lib/pii/Table.ts"
import { allTables } from "../lib/tables.ts"
import { allChecks, auditEnv, runCheck } from "./Audit.ts"
import type { Breakage } from "./breakage.ts"

/** A warehouse table that (wrongly) holds an email: only for tests that break the firewall. */
export const leakyPeople = Table.make({
  database: "hub",
  schema: "warehouse",
  name: "audit_people",
  description: "Test fixture: a warehouse table holding raw personal data.",
  row: Schema.Struct({ person_key: Schema.String, email: pii("email")(Schema.String) })
})

/** A definer view over raw data: only for tests. */
export const leakyView = Table.make({
  database: "hub",
  schema: "warehouse",
  name: "audit_leak",
  description: "Test fixture: a view that reads ops with its owner's rights.",
  row: Schema.Struct({ task: Schema.String, error: Schema.NullOr(Schema.String) })
})

export const tablesWithLeaks: ReadonlyArray<AnyTable> = [...allTables, leakyPeople, leakyView]

/** Replaces {mcp_ro}, {hub_rw}, {hub_owner}, {hub}, {app} … with the namespace's quoted names. */
export const named = (statement: string) =>
  Effect.map(Layout, (layout) =>
    statement
      .replaceAll(/\{(hub_rw|app_rw|warehouse_writer|mcp_ro|backup_ro|hub_owner|app_owner)\}/g, (_, key) => ident(layout.role(key)))
      .replaceAll("{hub}", ident(layout.hubDatabase))
      .replaceAll("{app}", ident(layout.products[0]!.database)))

/** Runs statements as the admin on the hub (or another database). */
export const asAdmin = (statements: ReadonlyArray<string>, database?: "app") =>
  Effect.scoped(Effect.gen(function*() {
    const admin = yield* Admin
    const layout = yield* Layout
    const sql = yield* admin.connect(database === "app" ? layout.products[0]!.database : layout.hubDatabase)
    for (const statement of statements) yield* sql.unsafe(yield* named(statement))
  }))

/** Provisions with the given tables, then runs the catalog checks plus `target` (when live); returns ids that did not pass. */
export const auditAfter = (options: {
  readonly target: string
  readonly tables?: ReadonlyArray<AnyTable>
  readonly breakIt: Effect.Effect<void, unknown, Admin | Layout>
}) =>
  Effect.gen(function*() {
    const tables = options.tables ?? allTables
    yield* provision({ tables })
    yield* options.breakIt
    const env = yield* auditEnv(tables)
    const checks = allChecks.filter((c) => c.kind === "catalog" || c.id === options.target)
    const results = yield* Effect.forEach(checks, (c) => runCheck(c, env))
    return results
  })

/** Applies a breakage to a fresh layout and returns the result of its check (for the breakage tests). */
export const checkAfterBreakage = (breakage: Breakage) =>
  Effect.gen(function*() {
    const results = yield* auditAfter({
      target: breakage.check,
      ...(breakage.tables ? { tables: breakage.tables } : {}),
      breakIt: asAdmin(breakage.statements, breakage.onProduct ? "app" : undefined)
    })
    return results.find((r) => r.id === breakage.check)!
  })

/** Defines one test per breakage: the check must fail once the layout is broken that way. */
export const testBreakages = (breakages: ReadonlyArray<Breakage>) => {
  for (const breakage of breakages) {
    it.live(`${breakage.check} fails when we ${breakage.how}`, () =>
      Effect.gen(function*() {
        const result = yield* checkAfterBreakage(breakage)
        expect(result.status, result.findings.join("; ")).toBe("fail")
        expect(result.findings.length).toBeGreaterThan(0)
      }).pipe(Effect.provide(makeTestEnv().layer)), 60_000)
  }
}
