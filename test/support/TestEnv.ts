/**
 * Test environments on the run's shared server: every call gets a fresh
 * namespace, so its databases and roles are its own and files run in parallel.
 */
import { ConfigProvider, Layer } from "effect"
import { randomBytes } from "node:crypto"
import { inject } from "vitest"
import { passwordVariable } from "../../lib/db/Cluster.ts"
import { Cluster } from "../../lib/db/Cluster.ts"
import { Admin } from "../../lib/db/Connections.ts"
import { Layout, loginRoles } from "../../lib/db/Layout.ts"

export interface TestEnv {
  readonly namespace: string
  /** The environment variables a task subprocess needs for this namespace. */
  readonly env: Record<string, string>
  /** Config provider + Layout + Cluster + Admin for in-process tests. */
  readonly layer: Layer.Layer<Layout | Cluster | Admin, unknown>
}

/** A new namespace on the shared test server. `extra` adds or overrides settings. */
export const makeTestEnv = (extra: Record<string, string> = {}): TestEnv => {
  const namespace = `t${randomBytes(4).toString("hex")}`
  const env: Record<string, string> = {
    SOLOHUB_ADMIN_URL: inject("adminUrl"),
    SOLOHUB_NAMESPACE: namespace,
    SOLOHUB_PRODUCTS: "demo",
    SOLOHUB_PSEUDONYM_KEY: randomBytes(32).toString("base64url"),
    ...Object.fromEntries(loginRoles.map((role) => [passwordVariable(role), `pw-${role}-${randomBytes(8).toString("hex")}`])),
    ...extra
  }
  return { namespace, env, layer: layerFor(env) }
}

/** The in-process layer for a set of variables (no process.env involved). */
export const layerFor = (env: Record<string, string>) => {
  const config = Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  const base = Layer.merge(Layout.layer, Cluster.layer)
  return Layer.provideMerge(Layer.merge(base, Admin.layer.pipe(Layer.provide(base))), config)
}
