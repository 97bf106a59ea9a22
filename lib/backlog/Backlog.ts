/**
 * The scaling backlog as data: every "not now" decision with a trigger, an
 * action, a monthly cost delta and an effort. A trigger that can be measured
 * names a metric, a threshold and how long it must hold; `npm run triggers`
 * measures them (lib/backlog/Metrics.ts). BACKLOG.md is generated from this.
 */
import { Schema } from "effect"

export const tiers = ["S1", "S2", "S3", "S4", "S5", "S6"] as const
export const Tier = Schema.Literal(...tiers)
export type Tier = typeof Tier.Type

/** What each tier means: the situation that opens it. */
export const tierMeaning: Record<Tier, string> = {
  S1: "First real user signs up",
  S2: "Steady usage: the droplet starts to feel it",
  S3: "Analytics load competes with the product",
  S4: "Data and backups outgrow cheap storage",
  S5: "A second person or a compliance demand",
  S6: "Acquisition or wind-down"
}

/** The metrics `npm run triggers` knows how to measure. */
export const metricIds = [
  "signups_total",
  "payments_total",
  "host_cpu_percent",
  "load_per_core",
  "memory_used_percent",
  "disk_used_percent",
  "database_size_gb",
  "largest_table_gb",
  "warehouse_size_gb",
  "raw_payloads_gb",
  "connections_percent",
  "product_p95_ms",
  "errors_per_day",
  "backup_size_gb",
  "backup_duration_minutes",
  "backups_total_gb",
  "restore_minutes",
  "quota_used_percent",
  "newsletter_subscribers",
  "nightly_job_minutes",
  "postgres_eol_days"
] as const
export const MetricId = Schema.Literal(...metricIds)
export type MetricId = typeof MetricId.Type

export const Measure = Schema.Struct({
  metric: MetricId,
  comparator: Schema.Literal(">", ">=", "<", "<="),
  threshold: Schema.Number,
  unit: Schema.String,
  /** The condition must hold on every reading for this many days (0: one reading is enough). */
  days: Schema.Number.pipe(Schema.int(), Schema.nonNegative())
})
export type Measure = typeof Measure.Type

export const Trigger = Schema.Struct({
  text: Schema.String,
  /** Absent when no metric on this server can tell (a hire, a letter of intent). */
  measure: Schema.optional(Measure)
})

export const BacklogItem = Schema.Struct({
  id: Schema.String.pipe(Schema.pattern(/^S[1-6]-\d{2}$/)),
  tier: Tier,
  title: Schema.String,
  trigger: Trigger,
  action: Schema.String,
  /** US dollars per month; negative when the action saves money. */
  monthlyCostDelta: Schema.Number,
  effortHours: Schema.Number.pipe(Schema.positive()),
  /** The decision this item defers (what we chose not to do yet). */
  defers: Schema.String
})
export type BacklogItem = typeof BacklogItem.Type

export const NeverDo = Schema.Struct({ title: Schema.String, reason: Schema.String })
export type NeverDo = typeof NeverDo.Type

export const CostCategory = Schema.Literal("compute", "database", "storage", "backups", "network", "monitoring", "email", "domains")
export type CostCategory = typeof CostCategory.Type

export const LineItem = Schema.Struct({
  category: CostCategory,
  item: Schema.String,
  /** US dollars per month. */
  monthly: Schema.Number.pipe(Schema.nonNegative())
})
export type LineItem = typeof LineItem.Type

export const CostTier = Schema.Struct({
  id: Schema.Literal("mvp", "mvp_glitchtip", "mvp_managed_postgres", "mvp_read_replica"),
  title: Schema.String,
  lineItems: Schema.Array(LineItem)
})
export type CostTier = typeof CostTier.Type

/** Checks a comparison of a reading against a measure. */
export const exceeds = (measure: Pick<Measure, "comparator" | "threshold">, value: number): boolean => {
  switch (measure.comparator) {
    case ">":
      return value > measure.threshold
    case ">=":
      return value >= measure.threshold
    case "<":
      return value < measure.threshold
    case "<=":
      return value <= measure.threshold
  }
}
