import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { afterAll } from "vitest"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { TaskLedger } from "../../lib/ops/TaskLedger.ts"
import { blogFacts, startSearchConsole } from "../support/servers/searchConsole.ts"
import { runTask } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 })
const siteUrl = "sc-domain:blog.example.com"
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const finalUntil = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)
const server = await startSearchConsole({ sites: [siteUrl], publicKey: keys.publicKey, facts: blogFacts(yesterday, 10), finalUntil })
afterAll(() => server.close())
const env = makeTestEnv({
  SOLOHUB_GSC_SITES: `blog=${siteUrl}`,
  SOLOHUB_GSC_SERVICE_ACCOUNT_JSON: JSON.stringify({ client_email: "t@t.iam.gserviceaccount.com", private_key: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString() }),
  SOLOHUB_GSC_BASE_URL: server.url,
  SOLOHUB_GSC_TOKEN_URL: server.tokenUrl,
  SOLOHUB_GSC_INITIAL_DAYS: "3"
})

layer(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)), { timeout: 120_000, excludeTestServices: true })("npm run sync", (it) => {
  it.effect("refuses to load real data before a restore drill has passed, and loads with --allow-undrilled, saying so", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.promise(() => runTask("tasks/sync.ts", ["search-console"], env.env))
      expect(refused.code).toBe(1)
      expect(refused.stdout).toContain("no restore drill has passed")
      expect(server.requests).toHaveLength(0)
      const allowed = yield* Effect.promise(() => runTask("tasks/sync.ts", ["search-console", "--allow-undrilled"], env.env))
      expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0)
      expect(allowed.stdout).toContain("running WITHOUT a passed restore drill")
      expect(allowed.stdout).toContain("search-console: ")
      expect(allowed.stdout).not.toContain("PRIVATE KEY")
    }))

  it.effect("`sync all` takes each source's lock: a source another run is syncing is skipped, not synced twice", () =>
    Effect.scoped(Effect.gen(function*() {
      const ledger = yield* TaskLedger
      expect(yield* ledger.lock("sync:search-console", 0)).toBe(true)
      const before = server.requests.length
      const result = yield* Effect.promise(() => runTask("tasks/sync.ts", ["all", "--allow-undrilled"], env.env))
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("search-console is being synced by another run: skipped")
      expect(server.requests.length).toBe(before)
      const direct = yield* Effect.promise(() => runTask("tasks/sync.ts", ["search-console", "--allow-undrilled"], env.env))
      expect(direct.code).toBe(75)
    })).pipe(Effect.provide(TaskLedger.layer.pipe(Layer.provide(HubWriter.layer)))))

  it.effect("`sync all` skips a source that is not configured and says so", () =>
    Effect.gen(function*() {
      const bare = { ...env.env }
      delete bare.SOLOHUB_GSC_SITES
      const result = yield* Effect.promise(() => runTask("tasks/sync.ts", ["all", "--allow-undrilled"], bare))
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("search-console is not configured: skipped")
    }))
})
