/** Small helpers for tests that talk to the test server directly. */
import type { PgClient } from "@effect/sql-pg"
import { Effect, type Scope } from "effect"
import { Admin, connect, roleParams } from "../../lib/db/Connections.ts"
import type { ClusterError } from "../../lib/db/errors.ts"
import { Layout, type LoginRole } from "../../lib/db/Layout.ts"
import type { Cluster } from "../../lib/db/Cluster.ts"
import type { ConfigError } from "effect"

/** A client for a login role on a database (the hub by default). */
export const as = (
  role: LoginRole,
  database?: string
): Effect.Effect<PgClient.PgClient, ClusterError | ConfigError.ConfigError, Scope.Scope | Layout | Cluster> =>
  Effect.gen(function*() {
    const layout = yield* Layout
    const params = yield* roleParams(role, database ?? layout.hubDatabase)
    return yield* connect(params, { applicationName: `test:${role}`, maxConnections: 1 })
  })

/** The admin client on a database (the hub by default). */
export const adminOn = (database?: string) =>
  Effect.gen(function*() {
    const admin = yield* Admin
    const layout = yield* Layout
    return yield* admin.connect(database ?? layout.hubDatabase)
  })

/** Runs one query and returns its first column of its first row. */
export const scalar = <A>(sql: PgClient.PgClient, text: string, params: ReadonlyArray<unknown> = []) =>
  Effect.map(sql.unsafe<Record<string, A>>(text, params), (rows) => Object.values(rows[0] ?? {})[0] as A)

/** The Postgres error code a failed effect fails with (or "succeeded"). */
export const failureCode = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.map(() => "succeeded"),
    Effect.catchAll((error) => {
      const cause = (error as { cause?: { code?: string } }).cause
      return Effect.succeed(cause?.code ?? String((error as { _tag?: string })._tag ?? "failed"))
    })
  )
