/** Connection URLs for humans and tools (psql, an MCP config). */
import { Effect, Redacted } from "effect"
import type { ConnectionParams } from "./Cluster.ts"
import { roleParams } from "./Connections.ts"
import { Layout, type LoginRole } from "./Layout.ts"

/** A `postgres://` URL for connection parameters; the password is percent-encoded. */
export const toUrl = (params: ConnectionParams): Redacted.Redacted<string> => {
  const user = encodeURIComponent(params.user)
  const password = encodeURIComponent(Redacted.value(params.password))
  const host = params.host.includes(":") ? `[${params.host}]` : params.host
  const ssl = params.ssl === "disable" ? "" : `?sslmode=${params.ssl}`
  return Redacted.make(`postgres://${user}:${password}@${host}:${params.port}/${encodeURIComponent(params.database)}${ssl}`)
}

/** The URL a login role uses: the hub, or for `app_rw` a product's database (the first by default). */
export const roleUrl = (role: LoginRole, product?: string) =>
  Effect.gen(function*() {
    const layout = yield* Layout
    const database = role === "app_rw"
      ? (product === undefined ? layout.products[0] : layout.product(product))?.database
      : layout.hubDatabase
    if (database === undefined) {
      return yield* Effect.fail(new Error(
        `no product "${product ?? ""}"; configured: ${layout.products.map((p) => p.name).join(", ") || "(none)"}`
      ))
    }
    return toUrl(yield* roleParams(role, database))
  })
