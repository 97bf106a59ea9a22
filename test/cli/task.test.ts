import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { lockedExitCode } from "../../lib/cli/Task.ts"
import { provision } from "../../lib/db/Provision.ts"
import { adminOn } from "../support/sql.ts"
import { runTask, start } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const env = makeTestEnv()
const fixture = "test/support/tasks/fixture.ts"
const runs = (task = "fixture") =>
  Effect.scoped(Effect.flatMap(adminOn(), (sql) =>
    sql<{ id: string; status: string; rows_touched: string; warnings: Array<{ message: string }>; args: Record<string, unknown>; error: string | null }>`
      SELECT id, status, rows_touched, warnings, args, error FROM ops.task_runs WHERE task = ${task} ORDER BY id`))

layer(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)), { timeout: 120_000, excludeTestServices: true })(
  "the task runner",
  (it) => {
    it.effect("records a successful run with its rows, warnings and redacted arguments", () =>
      Effect.gen(function*() {
        const result = yield* Effect.promise(() => runTask(fixture, ["--token", "tok-123456"], env.env))
        expect(result.code).toBe(0)
        const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { message: string })
        expect(lines.map((l) => l.message)).toContain("fixture succeeded")
        expect(result.stdout).not.toContain("tok-123456")
        const [run] = yield* runs()
        expect(run).toMatchObject({ status: "succeeded", rows_touched: "7", error: null })
        expect(run!.warnings[0]!.message).toBe("a warning")
        expect(run!.args.token).toBe("<redacted>")
      }))

    it.effect("records a failure in ops.errors without the secret it carried, and exits non-zero", () =>
      Effect.scoped(Effect.gen(function*() {
        const result = yield* Effect.promise(() => runTask(fixture, ["--fail"], env.env))
        expect(result.code).toBe(1)
        expect(result.stdout).toContain("it broke on purpose")
        expect(result.stdout + result.stderr).not.toContain("s3cret-value")
        const failed = (yield* runs()).filter((r) => r.status === "failed")
        expect(failed).toHaveLength(1)
        expect(failed[0]!.error).toBe("FixtureError: it broke on purpose")
        const sql = yield* adminOn()
        const errors = yield* sql<{ run_id: string; error_tag: string; message: string; context: unknown }>`
          SELECT run_id, error_tag, message, context FROM ops.errors WHERE task = 'fixture'`
        expect(errors).toHaveLength(1)
        expect(errors[0]).toMatchObject({ run_id: failed[0]!.id, error_tag: "FixtureError", message: "it broke on purpose" })
        expect(JSON.stringify(errors[0]!.context)).not.toContain("s3cret-value")
      })))

    it.effect("a second concurrent run exits with 'already running' while the first holds the lock", () =>
      Effect.gen(function*() {
        const first = start("node_modules/.bin/tsx", [fixture, "--sleep", "6000"], env.env)
        // Wait until the first run is inside its lock.
        yield* Effect.retry(
          Effect.flatMap(runs(), (rows) => rows.some((r) => r.status === "running") ? Effect.void : Effect.fail("not yet")),
          { times: 100, schedule: undefined }
        ).pipe(Effect.delay("100 millis"), Effect.retry({ times: 80 }))
        const second = yield* Effect.promise(() => runTask(fixture, [], env.env))
        expect(second.code).toBe(lockedExitCode)
        expect(second.stdout).toContain("already running")
        const firstResult = yield* Effect.promise(() => first.done)
        expect(firstResult.code).toBe(0)
        // The second run never started its work: no run row for it.
        expect((yield* runs()).filter((r) => r.status === "running")).toEqual([])
      }))

    it.effect("with SOLOHUB_LOCK_WAIT_SECONDS the second run waits for the first and then runs", () =>
      Effect.gen(function*() {
        const before = (yield* runs()).length
        const first = start("node_modules/.bin/tsx", [fixture, "--sleep", "3000"], env.env)
        yield* Effect.flatMap(runs(), (rows) => rows.length > before ? Effect.void : Effect.fail("not yet")).pipe(
          Effect.delay("100 millis"),
          Effect.retry({ times: 100 })
        )
        const second = yield* Effect.promise(() => runTask(fixture, [], { ...env.env, SOLOHUB_LOCK_WAIT_SECONDS: "30" }))
        expect(second.code).toBe(0)
        expect((yield* Effect.promise(() => first.done)).code).toBe(0)
        expect((yield* runs()).length).toBe(before + 2)
      }))
  }
)

describe("the task runner without a usable configuration", () => {
  layer(Layer.empty, { excludeTestServices: true })((it) => {
    it.effect("--help needs no database and no configuration", () =>
      Effect.gen(function*() {
        const result = yield* Effect.promise(() => runTask(fixture, ["--help"], {}))
        expect(result.code).toBe(0)
        expect(result.stdout.replace(/\u001b\[[0-9;]*m/g, "")).toContain("Test fixture for the task runner.")
      }))

    it.effect("a missing setting stops the task before any work, naming the variable", () =>
      Effect.gen(function*() {
        const partial = { ...env.env }
        delete partial.SOLOHUB_HUB_RW_PASSWORD
        const result = yield* Effect.promise(() => runTask(fixture, [], partial))
        expect(result.code).toBe(1)
        expect(result.stdout).toContain("SOLOHUB_HUB_RW_PASSWORD")
        expect(result.stdout).not.toContain("fixture started")
      }))

    it.effect("a malformed setting names the variable", () =>
      Effect.gen(function*() {
        const result = yield* Effect.promise(() => runTask(fixture, [], { ...env.env, SOLOHUB_LOCK_WAIT_SECONDS: "soon" }))
        expect(result.code).toBe(1)
        expect(result.stdout).toContain("SOLOHUB_LOCK_WAIT_SECONDS")
      }))
  })
})
