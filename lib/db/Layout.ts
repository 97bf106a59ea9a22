/**
 * The names of everything provisioning creates: databases, owner roles and
 * login roles, all prefixed by the configured namespace.
 */
import { Context, Effect, Layer } from "effect"
import { type Product, settingsConfig } from "../config/Settings.ts"

/** The LOGIN roles, each with one job (see BRIEF.md, "The database layout"). */
export const loginRoles = ["hub_rw", "app_rw", "warehouse_writer", "mcp_ro", "backup_ro"] as const
export type LoginRole = (typeof loginRoles)[number]

/** NOLOGIN roles that own every object: the hub's and the products'. */
export const ownerRoles = ["hub_owner", "app_owner"] as const
export type OwnerRole = (typeof ownerRoles)[number]

export type RoleKey = LoginRole | OwnerRole

/** What each login role is for, shown by `db url` and the docs. */
export const roleDescriptions: Record<LoginRole, string> = {
  hub_rw: "writes the hub's source schemas and ops",
  app_rw: "writes the product databases",
  warehouse_writer: "runs the ETL: reads sources and products, writes warehouse",
  mcp_ro: "the assistant: reads the warehouse's non-PII columns only",
  backup_ro: "reads everything for pg_dump, writes nothing"
}

/** The hub's source schemas, one per kind of source. */
export const sourceSchemas = [
  "search",
  "analytics",
  "behaviour",
  "newsletter",
  "video",
  "social",
  "crm",
  "finance"
] as const
export type SourceSchema = (typeof sourceSchemas)[number]

/** The schema in each product database that holds the app's data. */
export const productSchema = "app"

export interface LayoutShape {
  readonly namespace: string
  readonly hubDatabase: string
  readonly products: ReadonlyArray<Product>
  /** The actual role name for a role key (namespace applied). */
  readonly role: (key: RoleKey) => string
  /** Every database solohub owns: the hub first, then the products. */
  readonly databases: ReadonlyArray<string>
  readonly product: (name: string) => Product | undefined
}

/** Builds the layout from a namespace, the hub's name and the products. */
export const makeLayout = (options: {
  readonly namespace: string
  readonly hubDatabase: string
  readonly products: ReadonlyArray<Product>
}): LayoutShape => {
  const prefix = options.namespace === "" ? "" : `${options.namespace}_`
  const products = options.products.map((p) => ({ name: p.name, database: `${prefix}${p.database}` }))
  const hubDatabase = `${prefix}${options.hubDatabase}`
  return {
    namespace: options.namespace,
    hubDatabase,
    products,
    role: (key) => `${prefix}${key}`,
    databases: [hubDatabase, ...products.map((p) => p.database)],
    product: (name) => products.find((p) => p.name === name)
  }
}

/** The layout of this installation, from configuration. */
export class Layout extends Context.Tag("solohub/db/Layout")<Layout, LayoutShape>() {
  static readonly layer = Layer.effect(
    Layout,
    Effect.map(settingsConfig, (settings) => makeLayout(settings))
  )
}
