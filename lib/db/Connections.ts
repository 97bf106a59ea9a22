/**
 * One connection service per Postgres role. A task names the services it
 * needs and gets only those; code written against one role does not compile
 * against another (see test/types/roles.ts).
 *
 * Each tag's service is a full PgClient. Never call one role inside another
 * role's `withTransaction`: the open transaction is stored under a global tag
 * and the inner call would run on the outer role's connection.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { type ConfigError, Context, Effect, Layer, Scope } from "effect"
import { Cluster, type ConnectionParams, passwordVariable } from "./Cluster.ts"
import { ClusterError } from "./errors.ts"
import { Layout, type LayoutShape, type LoginRole } from "./Layout.ts"

/** The Postgres error code (SQLSTATE) or Node error code behind a SqlError, if any. */
export const errorCode = (error: unknown): string | undefined => {
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error
  const code = (cause as { code?: unknown } | undefined)?.code
  return typeof code === "string" ? code : undefined
}

const describeConnectFailure = (params: ConnectionParams, error: SqlError, hint: string): ClusterError => {
  const code = errorCode(error)
  const where = `${params.user}@${params.host}:${params.port}/${params.database}`
  switch (code) {
    case "28P01":
    case "28000":
      return new ClusterError({
        reason: "AuthenticationFailed",
        message: `password authentication failed for ${where}; check ${hint}`
      })
    case "3D000":
      return new ClusterError({
        reason: "Unreachable",
        message: `database "${params.database}" does not exist on ${params.host}:${params.port}; run \`npm run provision\``
      })
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
      return new ClusterError({
        reason: "Unreachable",
        message: `cannot reach PostgreSQL at ${params.host}:${params.port} (${code}); is the server running?`
      })
    default:
      return new ClusterError({ reason: "Unreachable", message: `cannot connect as ${where}: ${String((error.cause as Error | undefined)?.message ?? error.message)}` })
  }
}

/** Opens a pooled client; fails at once (with a clear message) on wrong credentials or an unreachable server. */
export const connect = (
  params: ConnectionParams,
  options: { readonly applicationName: string; readonly maxConnections?: number; readonly credentialsHint?: string }
): Effect.Effect<PgClient.PgClient, ClusterError, Scope.Scope> =>
  PgClient.make({
    host: params.host,
    port: params.port,
    database: params.database,
    username: params.user,
    password: params.password,
    ssl: params.ssl === "disable" ? false : params.ssl === "require" ? { rejectUnauthorized: false } : true,
    applicationName: options.applicationName,
    maxConnections: options.maxConnections ?? 5,
    connectTimeout: "10 seconds",
    idleTimeout: "30 seconds"
  }).pipe(
    Effect.mapError((error) => describeConnectFailure(params, error, options.credentialsHint ?? "the credentials")),
    Effect.provide(Reactivity.layer)
  )

/** Connection parameters for a login role to one database. */
export const roleParams = (role: LoginRole, database: string) =>
  Effect.gen(function*() {
    const cluster = yield* Cluster
    const layout = yield* Layout
    const password = yield* cluster.password(role)
    return {
      host: cluster.host,
      port: cluster.port,
      ssl: cluster.ssl,
      user: layout.role(role),
      password,
      database
    } satisfies ConnectionParams
  })

type RoleTag<Self> = Context.Tag<Self, PgClient.PgClient>

const roleLayer = <Self>(
  tag: RoleTag<Self>,
  role: LoginRole,
  database: (layout: LayoutShape) => string,
  maxConnections = 5
): Layer.Layer<Self, ClusterError | ConfigError.ConfigError, Cluster | Layout> =>
  Layer.scoped(
    tag,
    Effect.gen(function*() {
      const layout = yield* Layout
      const params = yield* roleParams(role, database(layout))
      return yield* connect(params, {
        applicationName: `solohub:${role}`,
        maxConnections,
        credentialsHint: passwordVariable(role)
      })
    })
  )

/** `hub_rw` on the hub: writes source schemas and `ops`. */
export class HubWriter extends Context.Tag("solohub/db/HubWriter")<HubWriter, PgClient.PgClient>() {
  static readonly layer = roleLayer(HubWriter, "hub_rw", (layout) => layout.hubDatabase)
}

/** `warehouse_writer` on the hub: reads sources, writes `warehouse`. */
export class WarehouseWriter extends Context.Tag("solohub/db/WarehouseWriter")<WarehouseWriter, PgClient.PgClient>() {
  static readonly layer = roleLayer(WarehouseWriter, "warehouse_writer", (layout) => layout.hubDatabase)
}

/** `mcp_ro` on the hub: the assistant's reader, warehouse only. */
export class AssistantReader extends Context.Tag("solohub/db/AssistantReader")<AssistantReader, PgClient.PgClient>() {
  static readonly layer = roleLayer(AssistantReader, "mcp_ro", (layout) => layout.hubDatabase, 2)
}

/** `backup_ro` on the hub: reads everything, writes nothing. */
export class BackupReader extends Context.Tag("solohub/db/BackupReader")<BackupReader, PgClient.PgClient>() {
  static readonly layer = roleLayer(BackupReader, "backup_ro", (layout) => layout.hubDatabase, 2)
}

/** `app_rw` on one product's database: what a product app writes with. */
export class ProductWriter extends Context.Tag("solohub/db/ProductWriter")<ProductWriter, PgClient.PgClient>() {
  static readonly layer = (product: string) =>
    roleLayer(ProductWriter, "app_rw", (layout) => {
      const found = layout.product(product)
      if (found === undefined) {
        throw new Error(`unknown product "${product}"; configured: ${layout.products.map((p) => p.name).join(", ")}`)
      }
      return found.database
    })
}

/** The admin (superuser or owner) connection; only provisioning and tests use it. */
export class Admin extends Context.Tag("solohub/db/Admin")<Admin, {
  /** A client on the maintenance database. */
  readonly client: PgClient.PgClient
  readonly params: ConnectionParams
  /** A client on another database, closed with the scope. */
  readonly connect: (database: string) => Effect.Effect<PgClient.PgClient, ClusterError, Scope.Scope>
}>() {
  static readonly layer: Layer.Layer<Admin, ClusterError, Cluster> = Layer.scoped(
    Admin,
    Effect.gen(function*() {
      const cluster = yield* Cluster
      const hint = cluster.embedded ? "the embedded server's secrets file" : "SOLOHUB_ADMIN_URL"
      const client = yield* connect(cluster.admin, { applicationName: "solohub:admin", maxConnections: 2, credentialsHint: hint })
      return {
        client,
        params: cluster.admin,
        connect: (database: string) =>
          connect({ ...cluster.admin, database }, { applicationName: "solohub:admin", maxConnections: 2, credentialsHint: hint })
      }
    })
  )
}

/** Runs code written against the generic `SqlClient` with one role's client. */
export const withClient = (client: PgClient.PgClient) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, SqlClient.SqlClient>> =>
  Effect.provideService(effect, SqlClient.SqlClient, client)
