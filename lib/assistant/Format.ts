/** Query results as a terminal table, JSON or CSV (`npm run ask`, the MCP server's text answers). */
import type { QueryResult } from "./Assistant.ts"

export type Format = "table" | "json" | "csv"

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString().endsWith("T00:00:00.000Z") ? value.toISOString().slice(0, 10) : value.toISOString()
  if (typeof value === "object") return JSON.stringify(value)
  return String(value)
}

const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text)

export const formatResult = (result: QueryResult, format: Format): string => {
  if (format === "json") return JSON.stringify({ columns: result.columns, rows: result.rows, truncated: result.truncated }, null, 2)
  const grid = result.rows.map((row) => result.columns.map((c) => cell(row[c])))
  if (format === "csv") return [result.columns.map(csvField).join(","), ...grid.map((r) => r.map(csvField).join(","))].join("\n")
  if (result.columns.length === 0) return "(no rows)"
  const widths = result.columns.map((c, i) => Math.min(60, Math.max(c.length, ...grid.map((r) => r[i]!.length))))
  const numeric = result.columns.map((c) => result.rows.length > 0 && result.rows.every((r) => r[c] === null || typeof r[c] === "number" || (typeof r[c] === "string" && /^-?\d+(\.\d+)?$/.test(r[c] as string))))
  const line = (values: ReadonlyArray<string>) =>
    values.map((v, i) => {
      const text = v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v
      return numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)
    }).join("  ").trimEnd()
  const out = [line(result.columns), widths.map((w) => "-".repeat(w)).join("  "), ...grid.map(line)]
  if (grid.length === 0) out.push("(no rows)")
  if (result.truncated) out.push(`… truncated at ${result.rowLimit} rows`)
  return out.join("\n")
}
