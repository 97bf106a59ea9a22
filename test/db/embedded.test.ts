import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as path from "node:path"
import * as EmbeddedServer from "../../lib/db/EmbeddedServer.ts"

const scratchHome = () => path.resolve(".solohub", `test-embedded-${randomBytes(4).toString("hex")}`)
const options = (home: string, port: Option.Option<number> = Option.none()) => ({
  home,
  superuser: "postgres",
  superuserPassword: Redacted.make("test-superuser-password"),
  port,
  settings: ["fsync=off"]
})

describe("the embedded server", () => {
  it.live("starts, is reused while running, stops, and starts again with its data", () =>
    Effect.gen(function*() {
      const home = scratchHome()
      const port = yield* EmbeddedServer.ensureRunning(options(home))
      expect(yield* EmbeddedServer.ensureRunning(options(home))).toBe(port)
      const status = yield* EmbeddedServer.status(home)
      expect(status.running).toBe(true)
      expect(Option.getOrNull(status.port)).toBe(port)
      expect(yield* EmbeddedServer.stop(home)).toBe(true)
      expect((yield* EmbeddedServer.status(home)).running).toBe(false)
      expect(yield* EmbeddedServer.stop(home)).toBe(false)
      yield* EmbeddedServer.ensureRunning(options(home))
      expect((yield* EmbeddedServer.status(home)).initialised).toBe(true)
      yield* EmbeddedServer.stop(home)
      yield* Effect.promise(() => fs.rm(home, { recursive: true, force: true }))
    }), 60_000)

  it.live("a server killed mid-run (stale postmaster.pid) is started again by the next task", () =>
    Effect.gen(function*() {
      const home = scratchHome()
      yield* EmbeddedServer.ensureRunning(options(home))
      const pidFile = path.join(EmbeddedServer.pathsOf(home).data, "postmaster.pid")
      const lock = yield* Effect.promise(() => fs.readFile(pidFile, "utf8"))
      yield* EmbeddedServer.stop(home)
      // What a crash leaves: the lock file, naming a process that no longer exists.
      yield* Effect.promise(() => fs.writeFile(pidFile, lock.replace(/^\d+/, "4194000")))
      expect((yield* EmbeddedServer.status(home)).running).toBe(false)
      const port = yield* EmbeddedServer.ensureRunning(options(home))
      expect((yield* EmbeddedServer.status(home)).running).toBe(true)
      expect(port).toBeGreaterThan(0)
      yield* EmbeddedServer.stop(home)
      yield* Effect.promise(() => fs.rm(home, { recursive: true, force: true }))
    }), 60_000)

  it.live("a port in use is a clear error", () =>
    Effect.gen(function*() {
      const blocker = net.createServer()
      const port = yield* Effect.async<number>((resume) => {
        blocker.listen(0, "127.0.0.1", () => resume(Effect.succeed((blocker.address() as net.AddressInfo).port)))
      })
      const home = scratchHome()
      const exit = yield* Effect.exit(EmbeddedServer.ensureRunning(options(home, Option.some(port))))
      blocker.close()
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(exit)).toContain(`port ${port} is already in use`)
      yield* Effect.promise(() => fs.rm(home, { recursive: true, force: true }))
    }), 60_000)

  it.live("a data directory left half-made by a crashed run is a clear error, not a silent reuse", () =>
    Effect.gen(function*() {
      const home = scratchHome()
      const { data } = EmbeddedServer.pathsOf(home)
      yield* Effect.promise(() => fs.mkdir(data, { recursive: true }))
      yield* Effect.promise(() => fs.writeFile(path.join(data, "base"), "partial"))
      const exit = yield* Effect.exit(EmbeddedServer.ensureRunning(options(home)))
      expect(String(exit)).toContain("holds no initialised cluster")
      expect(String(exit)).toContain(data)
      yield* Effect.promise(() => fs.rm(home, { recursive: true, force: true }))
    }), 60_000)
})
