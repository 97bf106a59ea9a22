import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { Layout } from "../../lib/db/Layout.ts"
import { adminOn, scalar } from "../support/sql.ts"
import { start } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const env = makeTestEnv()

layer(env.layer, { timeout: 120_000, excludeTestServices: true })("deno task", (it) => {
  it.effect("runs provisioning through `deno task` with Deno 2 from npm, and a second run changes nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const deno = "node_modules/.bin/deno"
      const version = yield* Effect.promise(() => start(deno, ["--version"], {}).done)
      expect(version.stdout).toMatch(/^deno 2\./)
      const first = yield* Effect.promise(() => start(deno, ["task", "provision"], env.env).done)
      expect(first.code).toBe(0)
      expect(first.stdout).toContain("provision succeeded")
      const layout = yield* Layout
      const admin = yield* adminOn()
      expect(yield* scalar<string>(admin, "SELECT count(*) FROM ops.schema_migrations")).toBe(String(fs.readdirSync("sql/hub").length))
      expect(yield* scalar<string>(admin, "SELECT status FROM ops.task_runs WHERE task = 'provision'")).toBe("succeeded")
      expect(layout.hubDatabase).toBe(`${env.namespace}_hub`)
      const second = yield* Effect.promise(() => start(deno, ["task", "provision"], env.env).done)
      expect(second.code).toBe(0)
      expect(second.stdout).toContain("nothing to change")
    })))
})

