import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as net from "node:net"
import { provision } from "../../lib/db/Provision.ts"
import { runTask, start } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const env = makeTestEnv()
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })

layer(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)), { timeout: 120_000, excludeTestServices: true })("npm run status", (it) => {
  it.effect("exits 1 and names the problems when nothing has been backed up; --json carries the same report", () =>
    Effect.gen(function*() {
      const result = yield* Effect.promise(() => runTask("tasks/status.ts", ["--json"], env.env))
      expect(result.code).toBe(1)
      const report = JSON.parse(result.stdout) as { ok: boolean; problems: Array<string> }
      expect(report.ok).toBe(false)
      expect(report.problems).toEqual(["no backup has succeeded yet", "no restore drill has run yet"])
    }))

  it.effect("--serve answers GET /health with the JSON report: 503 while not OK", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const server = start("node_modules/.bin/tsx", ["tasks/status.ts", "--serve", String(port)], env.env)
      const response = yield* Effect.tryPromise(() => fetch(`http://127.0.0.1:${port}/health`)).pipe(
        Effect.retry({ times: 60, schedule: undefined }),
        Effect.delay("100 millis"),
        Effect.retry({ times: 80 })
      )
      expect(response.status).toBe(503)
      const body = (yield* Effect.promise(() => response.json())) as { ok: boolean; problems: Array<string> }
      expect(body.ok).toBe(false)
      expect(body.problems).toContain("no backup has succeeded yet")
      expect((yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/elsewhere`))).status).toBe(404)
      server.child.kill("SIGTERM")
      yield* Effect.promise(() => server.done)
    }))
})
