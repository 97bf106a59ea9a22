/**
 * Evaluating the backlog's triggers: measure each metric once, judge each item
 * (a duration trigger fires only when the condition has held on every reading
 * for its number of days), and record the readings in ops.trigger_readings.
 */
import type { PgClient } from "@effect/sql-pg"
import { Effect, type Scope } from "effect"
import { type BacklogItem, exceeds, type MetricId } from "./Backlog.ts"
import type { Reading } from "./Metrics.ts"

export type TriggerStatus = "fired" | "not_yet" | "not_measurable"

export interface TriggerResult {
  readonly item: BacklogItem
  readonly status: TriggerStatus
  readonly value: number | null
  readonly note: string
  /** Fired now, and not at the previous reading. */
  readonly newlyFired: boolean
}

interface PastReading {
  readonly taken_at: Date
  readonly value: number | null
  readonly status: TriggerStatus
}

const dayMs = 86_400_000

/** The history of one item, newest first. */
const history = (sql: PgClient.PgClient, itemId: string) =>
  sql<PastReading>`
    SELECT taken_at, value, status FROM ops.trigger_readings WHERE item_id = ${itemId} ORDER BY taken_at DESC LIMIT 1000`

/** Judges one item from the current reading and its history. */
export const judge = (item: BacklogItem, reading: Reading | undefined, past: ReadonlyArray<PastReading>, now: Date): Omit<TriggerResult, "newlyFired"> => {
  const measure = item.trigger.measure
  if (measure === undefined || reading === undefined) {
    return { item, status: "not_measurable", value: null, note: "no metric on this server can tell; watch for it yourself" }
  }
  if (reading._tag === "Unmeasurable") return { item, status: "not_measurable", value: null, note: reading.why }
  const current = reading.value
  if (!exceeds(measure, current)) return { item, status: "not_yet", value: current, note: "" }
  if (measure.days === 0) return { item, status: "fired", value: current, note: "" }
  // How long has the condition held without a break?
  let since = now
  for (const old of past) {
    if (old.value === null || !exceeds(measure, old.value)) break
    since = old.taken_at
  }
  const heldDays = (now.getTime() - since.getTime()) / dayMs
  return heldDays >= measure.days
    ? { item, status: "fired", value: current, note: `held for ${heldDays.toFixed(1)} days` }
    : { item, status: "not_yet", value: current, note: `past the threshold for ${heldDays.toFixed(1)} of ${measure.days} days` }
}

/**
 * Measures every metric the items name (once each), judges every item, and
 * records the readings with `writer` (hub_rw).
 */
export const evaluate = (options: {
  readonly items: ReadonlyArray<BacklogItem>
  readonly measure: (metric: MetricId) => Effect.Effect<Reading, never, Scope.Scope>
  readonly writer: PgClient.PgClient
  readonly now: Date
}) =>
  Effect.gen(function*() {
    const readings = new Map<MetricId, Reading>()
    for (const item of options.items) {
      const metric = item.trigger.measure?.metric
      if (metric !== undefined && !readings.has(metric)) readings.set(metric, yield* Effect.scoped(options.measure(metric)))
    }
    const results: Array<TriggerResult> = []
    for (const item of options.items) {
      const past = yield* history(options.writer, item.id)
      const judged = judge(item, item.trigger.measure ? readings.get(item.trigger.measure.metric) : undefined, past, options.now)
      results.push({ ...judged, newlyFired: judged.status === "fired" && past[0]?.status !== "fired" })
    }
    yield* options.writer`
      INSERT INTO ops.trigger_readings (taken_at, item_id, metric, value, status, note)
      SELECT ${options.now}::timestamptz, * FROM unnest(
        ${results.map((r) => r.item.id)}::text[],
        ${results.map((r) => r.item.trigger.measure?.metric ?? null)}::text[],
        ${results.map((r) => r.value)}::float8[],
        ${results.map((r) => r.status)}::text[],
        ${results.map((r) => r.note || null)}::text[])`
    return results
  })

const formatValue = (r: TriggerResult) => {
  const m = r.item.trigger.measure
  if (r.value === null || m === undefined) return "-"
  const v = Math.abs(r.value) >= 100 || Number.isInteger(r.value) ? r.value.toFixed(0) : r.value.toFixed(2)
  return `${v} ${m.unit}`
}

/** The readings as a table for a terminal or cron mail. */
export const formatTriggers = (results: ReadonlyArray<TriggerResult>) => {
  const rows = results.map((r) => {
    const m = r.item.trigger.measure
    return [
      r.item.id,
      r.status === "fired" ? (r.newlyFired ? "FIRED (new)" : "FIRED") : r.status === "not_yet" ? "not yet" : "not measurable",
      formatValue(r),
      m ? `${m.comparator} ${m.threshold} ${m.unit}${m.days > 0 ? ` for ${m.days}d` : ""}` : "-",
      `${r.item.title}${r.note ? ` — ${r.note}` : ""}`
    ]
  })
  const header = ["item", "status", "value", "threshold", "title"]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}
