/**
 * Solohub's own settings, read through Effect `Config` from the environment
 * (see `.env.example`). A missing or malformed value fails before any work with
 * a message that names the variable.
 */
import { Config, ConfigError, Either, Option, Redacted } from "effect"
import * as path from "node:path"

/** A product: its configured name and the database that holds its data. */
export interface Product {
  readonly name: string
  readonly database: string
}

const identifierPattern = /^[a-z][a-z0-9_]{0,39}$/
const reservedDatabases = new Set(["postgres", "template0", "template1"])

/** Checks a name that becomes a Postgres identifier (database, role or schema). */
export const validIdentifier = (name: string): boolean => identifierPattern.test(name)

const invalid = (variable: string, message: string) =>
  Either.left(ConfigError.InvalidData([variable], `${variable}: ${message}`))

/**
 * Parses `SOLOHUB_PRODUCTS`: a comma-separated list of `name` or
 * `name=database` entries. The database defaults to `app_<name>`.
 */
export const parseProducts = (
  raw: string,
  variable = "SOLOHUB_PRODUCTS"
): Either.Either<ReadonlyArray<Product>, ConfigError.ConfigError> => {
  const entries = raw.split(",").map((entry) => entry.trim()).filter((entry) => entry.length > 0)
  const products: Array<Product> = []
  for (const entry of entries) {
    const [name = "", database = `app_${name}`, ...rest] = entry.split("=").map((part) => part.trim())
    if (rest.length > 0) return invalid(variable, `"${entry}" has more than one "="`)
    if (!validIdentifier(name)) {
      return invalid(
        variable,
        `product name "${name}" is not a valid identifier (lower-case letter first, then a-z, 0-9, _; at most 40 characters)`
      )
    }
    if (!validIdentifier(database) || reservedDatabases.has(database)) {
      return invalid(variable, `database "${database}" for product "${name}" is not a valid database name`)
    }
    if (products.some((p) => p.name === name || p.database === database)) {
      return invalid(variable, `product "${name}" or database "${database}" is listed twice`)
    }
    products.push({ name, database })
  }
  return Either.right(products)
}

const identifierConfig = (variable: string, fallback: string) =>
  Config.string(variable).pipe(
    Config.withDefault(fallback),
    Config.mapOrFail((value) =>
      validIdentifier(value) || value === ""
        ? Either.right(value)
        : invalid(variable, `"${value}" is not a valid identifier`)
    )
  )

/** Settings every task shares. */
export interface Settings {
  /** Absolute path of the folder holding local state (embedded server, secrets). */
  readonly home: string
  /** A superuser (or owner) connection to an existing server; when absent, the embedded server is used. */
  readonly adminUrl: Option.Option<Redacted.Redacted>
  /** Prefix for every database and role name (empty in production; tests use it for isolation). */
  readonly namespace: string
  readonly hubDatabase: string
  readonly products: ReadonlyArray<Product>
  /** Port for the embedded server; a free one is chosen when absent. */
  readonly embeddedPort: Option.Option<number>
}

/** The `Config` that reads {@link Settings}. */
export const settingsConfig: Config.Config<Settings> = Config.all({
  home: Config.string("SOLOHUB_HOME").pipe(
    Config.withDefault(".solohub"),
    Config.map((home) => path.resolve(home))
  ),
  adminUrl: Config.option(Config.redacted("SOLOHUB_ADMIN_URL")),
  namespace: Config.string("SOLOHUB_NAMESPACE").pipe(
    Config.withDefault(""),
    Config.mapOrFail((value) =>
      value === "" || /^[a-z][a-z0-9_]{0,15}$/.test(value)
        ? Either.right(value)
        : invalid("SOLOHUB_NAMESPACE", `"${value}" must be empty or a short identifier (a-z, 0-9, _; at most 16)`)
    )
  ),
  hubDatabase: identifierConfig("SOLOHUB_HUB_DATABASE", "hub"),
  products: Config.string("SOLOHUB_PRODUCTS").pipe(
    Config.withDefault("demo"),
    Config.mapOrFail((raw) => parseProducts(raw))
  ),
  embeddedPort: Config.option(
    Config.integer("SOLOHUB_PG_PORT").pipe(
      Config.validate({ message: "SOLOHUB_PG_PORT must be a port number (1024-65535)", validation: (p) => p >= 1024 && p <= 65535 })
    )
  )
})
