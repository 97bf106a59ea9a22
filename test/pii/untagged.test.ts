import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { provision } from "../../lib/db/Provision.ts"
import { allTables } from "../../lib/tables.ts"
import { auditEnv, runCheck } from "../../security/Audit.ts"
import { catalogChecks } from "../../security/catalogChecks.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const env = makeTestEnv()

layer(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)), { timeout: 120_000, excludeTestServices: true })(
  "default deny",
  (it) => {
    it.effect("every column of every table in every database is described by a schema in lib/ (nothing escapes by being forgotten)", () =>
      Effect.gen(function*() {
        const result = yield* runCheck(catalogChecks.find((c) => c.id === "C20")!, yield* auditEnv())
        expect(result.findings).toEqual([])
        expect(result.status).toBe("pass")
      }))

    it.effect("every schema in lib/ names a table that provisioning created", () =>
      Effect.gen(function*() {
        const result = yield* runCheck(catalogChecks.find((c) => c.id === "C21")!, yield* auditEnv())
        expect(result.status).toBe("pass")
        expect(allTables.length).toBeGreaterThan(0)
      }))
  }
)
