/** A human summary of the provisioned layout, read from the catalogs (not from the plan). */
import { Effect } from "effect"
import { Admin } from "./Connections.ts"
import { Layout, loginRoles, roleDescriptions } from "./Layout.ts"

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}

/** Databases with their schemas, and login roles with what each may reach. */
export const describeLayout = Effect.gen(function*() {
  const admin = yield* Admin
  const layout = yield* Layout
  const roles = loginRoles.map(layout.role)
  const reach = yield* admin.client<{ role: string; databases: string; limit: number; settings: string | null }>`
    SELECT r.rolname AS role,
           coalesce((SELECT string_agg(d.datname, ', ' ORDER BY d.datname) FROM pg_database d
                      WHERE d.datname = ANY(${layout.databases}) AND has_database_privilege(r.oid, d.oid, 'CONNECT')), '') AS databases,
           r.rolconnlimit AS limit,
           (SELECT array_to_string(s.setconfig, ', ') FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0) AS settings
      FROM pg_roles r WHERE r.rolname = ANY(${roles}) ORDER BY array_position(${roles}::text[], r.rolname)`
  const lines = [
    `\nDatabases: ${layout.databases.join(", ")} (products: ${layout.products.map((p) => `${p.name} → ${p.database}`).join(", ")})`,
    "",
    table(
      ["role", "connects to", "limit", "purpose"],
      reach.map((r) => {
        const key = loginRoles[roles.indexOf(r.role)]!
        return [r.role, r.databases, r.limit < 0 ? "-" : String(r.limit), roleDescriptions[key]]
      })
    )
  ]
  const mcp = reach.find((r) => r.role === layout.role("mcp_ro"))
  if (mcp?.settings) lines.push(`\n${layout.role("mcp_ro")} session defaults: ${mcp.settings}`)
  return lines.join("\n")
})
