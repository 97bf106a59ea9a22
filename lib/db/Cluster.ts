/**
 * Where the Postgres server is and how each role logs into it: the embedded
 * default under the solohub home, or an existing server from SOLOHUB_ADMIN_URL.
 */
import { Config, ConfigError, Context, Effect, Layer, Option, Redacted } from "effect"
import { loadLocalSecrets } from "../config/LocalSecrets.ts"
import { type Settings, settingsConfig } from "../config/Settings.ts"
import * as EmbeddedServer from "./EmbeddedServer.ts"
import { ClusterError } from "./errors.ts"
import { type LoginRole, loginRoles, makeLayout } from "./Layout.ts"

/** Everything needed to open a connection as one role to one database. */
export interface ConnectionParams {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: Redacted.Redacted<string>
  readonly database: string
  readonly ssl: SslMode
}

/**
 * TLS as libpq's sslmode means it: `require` encrypts without checking the
 * certificate (a self-signed server certificate works), `verify-full` checks
 * it against the system's CAs and the host name.
 */
export type SslMode = "disable" | "require" | "verify-full"

export interface ClusterShape {
  readonly embedded: boolean
  readonly host: string
  readonly port: number
  readonly ssl: SslMode
  /** The superuser/owner connection, to the maintenance database. */
  readonly admin: ConnectionParams
  /** A login role's password: from SOLOHUB_<ROLE>_PASSWORD, or for the embedded default, the secrets file. */
  readonly password: (role: LoginRole) => Effect.Effect<Redacted.Redacted<string>, ConfigError.ConfigError>
}

/** The name of the variable holding a login role's password. */
export const passwordVariable = (role: LoginRole) => `SOLOHUB_${role.toUpperCase()}_PASSWORD`

/** Connection parameters from a `postgres://` URL held in `variable` (errors name the variable, never the URL). */
export const parsePostgresUrl = (variable: string, url: Redacted.Redacted<string>) => {
  const fail = (why: string) =>
    Effect.fail(ConfigError.InvalidData([variable], `${variable}: ${why}`))
  let parsed: URL
  try {
    parsed = new URL(Redacted.value(url))
  } catch {
    return fail("not a URL (expected postgres://user:password@host:port/database)")
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    return fail(`scheme must be postgres:// (got ${parsed.protocol}//)`)
  }
  if (parsed.username === "") return fail("no user name in the URL")
  const sslmode = parsed.searchParams.get("sslmode")
  return Effect.succeed({
    host: parsed.hostname === "" ? "127.0.0.1" : parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port === "" ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: Redacted.make(decodeURIComponent(parsed.password)),
    database: parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : "postgres",
    ssl: sslmode === "verify-full" || sslmode === "verify-ca" ? "verify-full" as const : sslmode === "require" ? "require" as const : "disable" as const
  } satisfies ConnectionParams)
}

const rolePasswordFromEnv = (role: LoginRole) => Config.option(Config.redacted(passwordVariable(role)))

/** The superuser the embedded default creates. */
export const embeddedSuperuser = "postgres"

const external = (url: Redacted.Redacted<string>): Effect.Effect<ClusterShape, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const admin = yield* parsePostgresUrl("SOLOHUB_ADMIN_URL", url)
    return {
      embedded: false,
      host: admin.host,
      port: admin.port,
      ssl: admin.ssl,
      admin,
      password: (role: LoginRole) => Config.redacted(passwordVariable(role))
    }
  })

const embedded = (
  settings: Settings,
  extraSettings: ReadonlyArray<string>
): Effect.Effect<ClusterShape, ClusterError> =>
  Effect.gen(function*() {
    const layout = makeLayout(settings)
    const secrets = yield* loadLocalSecrets(settings.home, loginRoles.map(layout.role))
    const port = yield* EmbeddedServer.ensureRunning({
      home: settings.home,
      superuser: embeddedSuperuser,
      superuserPassword: secrets.superuserPassword,
      port: settings.embeddedPort,
      settings: extraSettings
    })
    const host = "127.0.0.1"
    return {
      embedded: true,
      host,
      port,
      ssl: "disable",
      admin: { host, port, ssl: "disable", user: embeddedSuperuser, password: secrets.superuserPassword, database: "postgres" },
      password: (role: LoginRole) =>
        Effect.flatMap(rolePasswordFromEnv(role), (fromEnv) =>
          Option.match(fromEnv, {
            onSome: Effect.succeed,
            onNone: () => {
              const stored = secrets.rolePasswords[layout.role(role)]
              return stored === undefined
                ? Effect.fail(ConfigError.MissingData([passwordVariable(role)], `no password for ${role}`))
                : Effect.succeed(stored)
            }
          }))
    }
  })

/** The server solohub runs on. Building it starts the embedded server when none is configured. */
export class Cluster extends Context.Tag("solohub/db/Cluster")<Cluster, ClusterShape>() {
  /** From configuration: SOLOHUB_ADMIN_URL, or the embedded default (started or reused). */
  static readonly layer: Layer.Layer<Cluster, ConfigError.ConfigError | ClusterError> = Layer.effect(
    Cluster,
    Effect.flatMap(settingsConfig, (settings) =>
      Option.match(settings.adminUrl, {
        onSome: (url): Effect.Effect<ClusterShape, ConfigError.ConfigError | ClusterError> => external(url),
        onNone: () => embedded(settings, [])
      }))
  )
}
