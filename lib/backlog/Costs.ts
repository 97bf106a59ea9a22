/**
 * The cost check: the current line items (a JSON file, SOLOHUB_COSTS_FILE,
 * default ops/costs.json) against the ceiling of the current tier, category by
 * category. Over the ceiling is a failure: "stop, reroute, escalate".
 */
import { Config, Effect, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { type CostCategory, CostTier, LineItem } from "./Backlog.ts"
import { costTiers } from "./items.ts"

export const CurrentCosts = Schema.Struct({
  tier: CostTier.fields.id,
  lineItems: Schema.Array(LineItem)
})
export type CurrentCosts = typeof CurrentCosts.Type

export class CostsError extends Schema.TaggedError<CostsError>("solohub/CostsError")("CostsError", {
  reason: Schema.Literal("Unreadable", "Invalid", "OverCeiling"),
  message: Schema.String
}) {}

export const costsFile = Config.string("SOLOHUB_COSTS_FILE").pipe(
  Config.withDefault("ops/costs.json"),
  Config.map((file) => path.resolve(file))
)

export const readCosts = (file: string) =>
  Effect.gen(function*() {
    const text = yield* Effect.tryPromise({
      try: () => fs.readFile(file, "utf8"),
      catch: (e) => new CostsError({ reason: "Unreadable", message: `cannot read ${file}: ${String(e)}` })
    })
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (e) => new CostsError({ reason: "Invalid", message: `${file} is not JSON: ${String(e)}` })
    })
    return yield* Schema.decodeUnknown(CurrentCosts)(json).pipe(
      Effect.mapError((e) => new CostsError({ reason: "Invalid", message: `${file}: ${e.message}` }))
    )
  })

export interface CategoryComparison {
  readonly category: CostCategory
  readonly current: number
  readonly ceiling: number
  readonly over: boolean
}

/** Compares current spend with the tier's ceiling per category (every category either side appears). */
export const compare = (current: CurrentCosts): ReadonlyArray<CategoryComparison> => {
  const tier = costTiers.find((t) => t.id === current.tier)!
  const sum = (items: ReadonlyArray<{ category: CostCategory; monthly: number }>, c: CostCategory) =>
    items.filter((i) => i.category === c).reduce((s, i) => s + i.monthly, 0)
  const categories = [...new Set([...tier.lineItems, ...current.lineItems].map((i) => i.category))]
  return categories.map((category) => {
    const spent = sum(current.lineItems, category)
    const ceiling = sum(tier.lineItems, category)
    return { category, current: spent, ceiling, over: spent > ceiling + 1e-9 }
  })
}

export const formatComparison = (current: CurrentCosts, rows: ReadonlyArray<CategoryComparison>) => {
  const tier = costTiers.find((t) => t.id === current.tier)!
  const lines = [`tier: ${tier.title}`, "", "category     current  ceiling  status", "----------   -------  -------  ------"]
  for (const r of rows) {
    lines.push(`${r.category.padEnd(12)} ${`$${r.current}`.padStart(7)}  ${`$${r.ceiling}`.padStart(7)}  ${r.over ? "OVER" : "ok"}`)
  }
  const total = rows.reduce((s, r) => s + r.current, 0)
  const ceiling = rows.reduce((s, r) => s + r.ceiling, 0)
  lines.push("", `total: $${total}/month of a $${ceiling}/month ceiling`)
  return lines.join("\n")
}
