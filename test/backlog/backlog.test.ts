import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import { metricIds, tiers } from "../../lib/backlog/Backlog.ts"
import { compare } from "../../lib/backlog/Costs.ts"
import { backlog, costTiers, neverDo } from "../../lib/backlog/items.ts"
import { renderBacklog, tierTotal } from "../../lib/backlog/Markdown.ts"
import { measurements } from "../../lib/backlog/Metrics.ts"

describe("the backlog as data", () => {
  it("has at least 28 items across all six tiers, with unique ids", () => {
    expect(backlog.length).toBeGreaterThanOrEqual(28)
    expect(new Set(backlog.map((i) => i.tier))).toEqual(new Set(tiers))
    expect(new Set(backlog.map((i) => i.id)).size).toBe(backlog.length)
    for (const item of backlog) expect(item.id.startsWith(item.tier)).toBe(true)
  })

  it("includes the seeds' items with their triggers", () => {
    const find = (title: RegExp) => backlog.find((i) => title.test(i.title))
    expect(find(/GlitchTip/)).toMatchObject({ tier: "S1", trigger: { measure: { metric: "signups_total", threshold: 1 } } })
    expect(find(/Managed Postgres/)).toMatchObject({ trigger: { measure: { metric: "host_cpu_percent", comparator: ">", threshold: 60, days: 7 } }, monthlyCostDelta: 15 })
    expect(find(/Read replica/)).toMatchObject({ trigger: { measure: { metric: "product_p95_ms", threshold: 300 } }, monthlyCostDelta: 15 })
    expect(find(/Backblaze B2/)).toMatchObject({ trigger: { measure: { metric: "backups_total_gb", threshold: 100 } }, monthlyCostDelta: -3 })
  })

  it("measures every metric it names", () => {
    for (const item of backlog) {
      if (item.trigger.measure) expect(Object.keys(measurements)).toContain(item.trigger.measure.metric)
    }
    expect(Object.keys(measurements).sort()).toEqual([...metricIds].sort())
  })

  it("has the never-do list, each with a reason", () => {
    for (const title of ["Kubernetes", "Microservices", "A separate vector database", "Hosted Sentry"]) {
      expect(neverDo.find((n) => n.title === title)?.reason.length).toBeGreaterThan(20)
    }
  })

  it("publishes the ceilings: MVP $25, with GlitchTip $25, with managed Postgres $40, with a read replica $55", () => {
    expect(costTiers.map((t) => [t.id, tierTotal(t)])).toEqual([
      ["mvp", 25],
      ["mvp_glitchtip", 25],
      ["mvp_managed_postgres", 40],
      ["mvp_read_replica", 55]
    ])
  })

  it("BACKLOG.md is exactly what the data generates (run `npm run backlog` after changing lib/backlog)", () => {
    expect(fs.readFileSync("BACKLOG.md", "utf8")).toBe(renderBacklog())
  })
})

describe("the cost check", () => {
  const base = JSON.parse(fs.readFileSync("ops/costs.json", "utf8"))

  it("passes the committed current costs", () => {
    expect(compare(base).filter((r) => r.over)).toEqual([])
  })

  it("fails a category whose line items exceed the tier's ceiling", () => {
    const over = compare({ ...base, lineItems: [...base.lineItems, { category: "monitoring", item: "Hosted Sentry Team", monthly: 26 }] })
    expect(over.filter((r) => r.over)).toEqual([{ category: "monitoring", current: 26, ceiling: 0, over: true }])
    const droplet = compare({ ...base, lineItems: base.lineItems.map((i: { category: string }) => (i.category === "compute" ? { ...i, monthly: 48 } : i)) })
    expect(droplet.find((r) => r.category === "compute")).toMatchObject({ current: 48, ceiling: 24, over: true })
  })

  it("the same spend fits a higher tier's ceiling", () => {
    const managed = { tier: "mvp_managed_postgres" as const, lineItems: [...base.lineItems, { category: "database", item: "Managed Postgres", monthly: 15 }] }
    expect(compare(managed).filter((r) => r.over)).toEqual([])
    expect(compare({ ...managed, tier: "mvp" }).filter((r) => r.over).map((r) => r.category)).toEqual(["database"])
  })
})
