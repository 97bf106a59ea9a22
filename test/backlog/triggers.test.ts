import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { BacklogItem } from "../../lib/backlog/Backlog.ts"
import { backlog } from "../../lib/backlog/items.ts"
import { measure, value } from "../../lib/backlog/Metrics.ts"
import { evaluate, judge } from "../../lib/backlog/Triggers.ts"
import { attentionExitCode } from "../../lib/cli/Task.ts"
import { Admin } from "../../lib/db/Connections.ts"
import { Layout } from "../../lib/db/Layout.ts"
import { provision } from "../../lib/db/Provision.ts"
import { runTask } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const day = 86_400_000
const item = (id: string) => backlog.find((i) => i.id === id)!
const measured = backlog.filter((i) => i.trigger.measure !== undefined)

/** A value on the firing side of an item's threshold, and one on the quiet side. */
const across = (i: BacklogItem) => {
  const m = i.trigger.measure!
  const step = Math.max(1, Math.abs(m.threshold) * 0.1)
  const firing = m.comparator.startsWith(">") ? m.threshold + step : m.threshold - step
  const quiet = m.comparator.startsWith(">") ? m.threshold - step : m.threshold + step
  return { firing, quiet }
}

describe("judging a trigger from fed readings", () => {
  const now = new Date("2026-11-22T06:00:00Z")
  for (const i of measured) {
    const m = i.trigger.measure!
    it(`${i.id} (${m.metric} ${m.comparator} ${m.threshold}${m.days ? ` for ${m.days}d` : ""}) fires across its threshold and not below`, () => {
      const { firing, quiet } = across(i)
      const history = Array.from({ length: m.days + 1 }, (_, k) => ({
        taken_at: new Date(now.getTime() - (k + 1) * day),
        value: firing,
        status: "not_yet" as const
      }))
      expect(judge(i, value(firing), history, now).status).toBe("fired")
      expect(judge(i, value(quiet), history, now).status).toBe("not_yet")
      if (m.days > 0) {
        // Not yet held long enough: no history, or a break in it.
        expect(judge(i, value(firing), [], now).status).toBe("not_yet")
        const broken = history.map((h, k) => (k === 1 ? { ...h, value: quiet } : h))
        expect(judge(i, value(firing), broken, now).status).toBe("not_yet")
      }
    })
  }
})

const env = makeTestEnv()
const provisioned = Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer))

layer(provisioned, { timeout: 120_000, excludeTestServices: true })("triggers measured on the embedded server", (it) => {
  const sql = (statements: ReadonlyArray<string>, where: "hub" | "app" = "hub") =>
    Effect.scoped(Effect.gen(function*() {
      const admin = yield* Admin
      const layout = yield* Layout
      const client = yield* admin.connect(where === "hub" ? layout.hubDatabase : layout.products[0]!.database)
      for (const s of statements) yield* client.unsafe(s.replaceAll("{hub_owner}", `"${layout.role("hub_owner")}"`).replaceAll("{app_owner}", `"${layout.role("app_owner")}"`))
    }))

  /** Evaluates the given items now (or at `now`) and returns their statuses. */
  const statuses = (ids: ReadonlyArray<string>, now = new Date()) =>
    Effect.scoped(Effect.gen(function*() {
      const admin = yield* Admin
      const layout = yield* Layout
      const writer = yield* admin.connect(layout.hubDatabase)
      const results = yield* evaluate({
        items: ids.map(item),
        measure: (metric) => measure(metric, { layout, admin: admin.connect, local: true, now }),
        writer,
        now
      })
      return Object.fromEntries(results.map((r) => [r.item.id, `${r.status}${r.value === null ? "" : `:${Math.round(r.value)}`}`]))
    }))

  /** Replaces an item's readings with one a day for the past `days` + 1 days, so a duration trigger has its history. */
  const history = (id: string, metric: string, v: number, days: number) =>
    sql([`DELETE FROM ops.trigger_readings WHERE item_id = '${id}'`, ...Array.from({ length: days + 1 }, (_, k) =>
      `INSERT INTO ops.trigger_readings (taken_at, item_id, metric, value, status) VALUES (now() - interval '${k + 1} days', '${id}', '${metric}', ${v}, 'not_yet')`)])

  it.effect("sign-ups and payments: zero on a new product, then they fire at the first one; not measurable where the tables are missing", () =>
    Effect.gen(function*() {
      expect(yield* statuses(["S1-01", "S1-03"])).toEqual({ "S1-01": "not_yet:0", "S1-03": "not_yet:0" })
      yield* sql([
        "INSERT INTO app.users (id, email, created_at) VALUES ('u1', 'ada@example.com', now())",
        "INSERT INTO app.signups (user_id, signed_up_at) VALUES ('u1', now())",
        "INSERT INTO app.payments (id, user_id, amount_cents, currency, status, paid_at, provider) VALUES ('p1', 'u1', 900, 'EUR', 'succeeded', now(), 'stripe')"
      ], "app")
      expect(yield* statuses(["S1-01", "S1-03"])).toEqual({ "S1-01": "fired:1", "S1-03": "fired:1" })
      yield* sql(["SET ROLE {app_owner}", "ALTER TABLE app.payments RENAME TO payments_moved", "RESET ROLE"], "app")
      expect((yield* statuses(["S1-03"]))["S1-03"]).toBe("not_measurable")
      yield* sql(["SET ROLE {app_owner}", "ALTER TABLE app.payments_moved RENAME TO payments", "RESET ROLE"], "app")
    }))

  it.effect("product p95 from app.events: above 300 ms fires only once it has held for 7 days", () =>
    Effect.gen(function*() {
      yield* sql(["INSERT INTO app.events (id, name, duration_ms, occurred_at) SELECT 'a' || i, 'api', 100, now() FROM generate_series(1, 90) i"], "app")
      expect((yield* statuses(["S3-01"]))["S3-01"]).toBe("not_yet:100")
      yield* sql(["INSERT INTO app.events (id, name, duration_ms, occurred_at) SELECT 'b' || i, 'api', 900, now() FROM generate_series(1, 20) i"], "app")
      expect((yield* statuses(["S3-01"]))["S3-01"]).toMatch(/^not_yet:9\d\d$/)
      yield* history("S3-01", "product_p95_ms", 900, 7)
      expect((yield* statuses(["S3-01"]))["S3-01"]).toMatch(/^fired:9\d\d$/)
    }))

  it.effect("errors per day from ops.errors, held for 3 days", () =>
    Effect.gen(function*() {
      expect((yield* statuses(["S1-05"]))["S1-05"]).toBe("not_yet:0")
      yield* sql(["INSERT INTO ops.errors (task, error_tag, message) SELECT 'sync', 'E', 'x' FROM generate_series(1, 6)"])
      expect((yield* statuses(["S1-05"]))["S1-05"]).toBe("not_yet:6")
      yield* history("S1-05", "errors_per_day", 6, 3)
      expect((yield* statuses(["S1-05"]))["S1-05"]).toBe("fired:6")
    }))

  it.effect("newsletter subscribers past 1,000", () =>
    Effect.gen(function*() {
      expect((yield* statuses(["S3-05"]))["S3-05"]).toBe("not_measurable")
      yield* sql(["SET ROLE {hub_owner}", "CREATE TABLE IF NOT EXISTS newsletter.subscribers (id bigint)", "RESET ROLE", "INSERT INTO newsletter.subscribers SELECT g FROM generate_series(1, 1000) g"])
      expect((yield* statuses(["S3-05"]))["S3-05"]).toBe("not_yet:1000")
      yield* sql(["INSERT INTO newsletter.subscribers VALUES (1001)"])
      expect((yield* statuses(["S3-05"]))["S3-05"]).toBe("fired:1001")
    }))

  it.effect("backup size, duration and total, and restore time (not measurable until the first backup and drill)", () =>
    Effect.gen(function*() {
      expect(yield* statuses(["S2-07", "S4-04", "S2-08"])).toEqual({ "S2-07": "not_measurable", "S4-04": "not_measurable", "S2-08": "not_measurable" })
      yield* sql([
        "INSERT INTO ops.backups (id, status, size_bytes, started_at, finished_at) VALUES ('b1', 'succeeded', 1073741824, now() - interval '10 minutes', now() - interval '5 minutes')",
        "INSERT INTO ops.restore_drills (backup_id, status, rto_seconds, started_at, finished_at) VALUES ('b1', 'passed', 600, now() - interval '20 minutes', now() - interval '10 minutes')"
      ])
      expect(yield* statuses(["S2-07", "S4-04", "S4-01", "S2-08"])).toEqual({ "S2-07": "not_yet:5", "S4-04": "not_yet:1", "S4-01": "not_yet:1", "S2-08": "not_yet:10" })
      yield* sql([
        "INSERT INTO ops.backups (id, status, size_bytes, started_at, finished_at) VALUES ('b2', 'succeeded', 120 * 1073741824::bigint, now() - interval '40 minutes', now() - interval '1 minute')",
        "INSERT INTO ops.restore_drills (backup_id, status, rto_seconds, started_at, finished_at) VALUES ('b2', 'passed', 3000, now() - interval '50 minutes', now())"
      ])
      expect(yield* statuses(["S2-07", "S4-04", "S4-01", "S2-08"])).toEqual({ "S2-07": "fired:39", "S4-04": "fired:120", "S4-01": "fired:121", "S2-08": "fired:50" })
    }))

  it.effect("API quota usage from the quota ledger, held for 3 days", () =>
    Effect.gen(function*() {
      expect((yield* statuses(["S3-04"]))["S3-04"]).toBe("not_yet:0")
      yield* sql(["INSERT INTO ops.api_quota_usage (source, scope, day, used, quota_limit) VALUES ('clarity', 'project', current_date, 9, 10)"])
      expect((yield* statuses(["S3-04"]))["S3-04"]).toBe("not_yet:90")
      yield* history("S3-04", "quota_used_percent", 90, 3)
      expect((yield* statuses(["S3-04"]))["S3-04"]).toBe("fired:90")
    }))

  it.effect("the nightly jobs' duration from ops.task_runs", () =>
    Effect.gen(function*() {
      yield* sql(["INSERT INTO ops.task_runs (task, status, started_at, finished_at, host, pid) VALUES ('sync', 'succeeded', now() - interval '80 minutes', now() - interval '5 minutes', 'h', 1)"])
      expect((yield* statuses(["S2-09"]))["S2-09"]).toBe("not_yet:75")
      yield* history("S2-09", "nightly_job_minutes", 75, 3)
      expect((yield* statuses(["S2-09"]))["S2-09"]).toBe("fired:75")
    }))

  it.effect("PostgreSQL end of life: fires within 180 days of it", () =>
    Effect.gen(function*() {
      expect((yield* statuses(["S4-03"], new Date("2026-11-22T00:00:00Z")))["S4-03"]).toBe("not_yet:354")
      expect((yield* statuses(["S4-03"], new Date("2027-06-01T00:00:00Z")))["S4-03"]).toBe("fired:163")
    }))

  it.effect("sizes, connections and host figures are measured as numbers on this server", () =>
    Effect.gen(function*() {
      const got = yield* statuses(["S2-01", "S2-02", "S2-03", "S2-04", "S2-05", "S2-06", "S3-02", "S4-05"])
      for (const [id, status] of Object.entries(got)) expect([id, status]).toEqual([id, expect.stringMatching(/^(not_yet|fired):\d+$/)])
    }))

  it.effect("raw payload storage is measured from ops.raw_payloads", () =>
    Effect.gen(function*() {
      expect((yield* statuses(["S4-02"]))["S4-02"]).toBe("not_yet:0")
      yield* sql(["INSERT INTO ops.raw_payloads (source, stream, scope, request, body, status) SELECT 'x', 'y', 'z', '{}', repeat('p', 1000), 'loaded' FROM generate_series(1, 100)"])
      expect((yield* statuses(["S4-02"]))["S4-02"]).toBe("not_yet:0")
    }))
})

describe("npm run triggers", () => {
  const e = makeTestEnv()
  layer(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(e.layer)), { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect("exits 3 when an item newly fires, and 0 on the next run when nothing new fires; readings are recorded", () =>
      Effect.scoped(Effect.gen(function*() {
        const admin = yield* Admin
        const layout = yield* Layout
        const app = yield* admin.connect(layout.products[0]!.database)
        yield* app.unsafe(`INSERT INTO app.users (id, email, created_at) VALUES ('u1', 'ada@example.com', now()); INSERT INTO app.signups (user_id, signed_up_at) VALUES ('u1', now())`)
        const first = yield* Effect.promise(() => runTask("tasks/triggers.ts", [], e.env))
        expect(first.code).toBe(attentionExitCode)
        expect(first.stdout).toContain("newly fired: S1-01")
        expect(first.stdout).toContain("FIRED (new)")
        const second = yield* Effect.promise(() => runTask("tasks/triggers.ts", [], e.env))
        expect(second.code).toBe(0)
        expect(second.stdout).not.toContain("newly fired")
        const hub = yield* admin.connect(layout.hubDatabase)
        const rows = yield* hub<{ n: string }>`SELECT count(*)::text AS n FROM ops.trigger_readings WHERE item_id = 'S1-01' AND status = 'fired'`
        expect(rows[0]!.n).toBe("2")
      })))
  })
})
