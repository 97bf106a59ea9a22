import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { parse } from "yaml"
import { connect } from "../../lib/db/Connections.ts"
import * as EmbeddedServer from "../../lib/db/EmbeddedServer.ts"

const scripts = Object.keys((JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts)

/** Checks one crontab field against its range: *, n, a-b, lists and steps. */
const validField = (field: string, min: number, max: number) =>
  field.split(",").every((part) => {
    const [range, step] = part.split("/") as [string, string | undefined]
    if (step !== undefined && !/^\d+$/.test(step)) return false
    if (range === "*") return true
    const [a, b] = range.split("-").map(Number)
    return Number.isInteger(a) && a! >= min && a! <= max && (b === undefined || (Number.isInteger(b) && b >= a! && b <= max))
  })

const cronLines = (file: string) =>
  fs.readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#") && !/^[A-Z_]+=/.test(l))

describe("the droplet's deployment files", () => {
  for (const file of ["ops/crontab", "ops/crontab.drill"]) {
    it(`${file}: every line has five valid fields and runs an existing task`, () => {
      const lines = cronLines(file)
      expect(lines.length).toBeGreaterThan(0)
      const ranges: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]]
      for (const line of lines) {
        const fields = line.split(/\s+/)
        ranges.forEach(([min, max], i) => expect([line, i, validField(fields[i]!, min, max)]).toEqual([line, i, true]))
        const task = /npm run -s ([\w-]+)/.exec(line)?.[1]
        expect([line, task !== undefined && scripts.includes(task)]).toEqual([line, true])
      }
    })
  }

  it("the crontab runs the backup nightly and the drill weekly (on the drill host)", () => {
    expect(cronLines("ops/crontab").some((l) => /^\S+\s+\S+\s+\*\s+\*\s+\*\s+.*npm run -s backup$/.test(l))).toBe(true)
    expect(cronLines("ops/crontab.drill").some((l) => /^\S+\s+\S+\s+\*\s+\*\s+0\s+.*restore-drill/.test(l))).toBe(true)
    expect(fs.readFileSync("ops/crontab", "utf8")).not.toMatch(/AGE-SECRET-KEY/)
  })

  it("the compose file: Postgres 15 on loopback only, every service restarts, is health-checked and memory-limited within 4 GB", () => {
    const compose = parse(fs.readFileSync("ops/docker-compose.yml", "utf8")) as {
      services: Record<string, { image?: string; restart?: string; healthcheck?: unknown; mem_limit?: string; ports?: Array<string>; volumes?: Array<string> }>
      volumes: Record<string, unknown>
    }
    expect(Object.keys(compose.services).sort()).toEqual(["caddy", "health", "postgres", "runner"])
    expect(compose.services.postgres!.image).toMatch(/^postgres:15/)
    expect(compose.services.postgres!.ports).toEqual(["127.0.0.1:5432:5432"])
    let memory = 0
    for (const [name, service] of Object.entries(compose.services)) {
      expect([name, service.restart]).toEqual([name, "unless-stopped"])
      expect([name, service.healthcheck !== undefined]).toEqual([name, true])
      expect([name, /^\d+m$/.test(service.mem_limit ?? "")]).toEqual([name, true])
      memory += Number.parseInt(service.mem_limit!, 10)
    }
    expect(memory).toBeLessThanOrEqual(3800)
    for (const volume of ["pgdata", "backups", "caddy_data"]) expect(Object.keys(compose.volumes)).toContain(volume)
    for (const mount of compose.services.postgres!.volumes!.filter((v) => v.startsWith("./"))) {
      const source = mount.split(":")[0]!
      if (!["./certs", "./secrets"].includes(source)) expect(fs.existsSync(path.join("ops", source))).toBe(true)
    }
  })

  it.live("postgresql.conf and pg_hba.conf start a real PostgreSQL 15 with SCRAM, TLS and no rule errors", () =>
    Effect.gen(function*() {
      const home = path.resolve(".solohub", `test-conf-${randomBytes(4).toString("hex")}`)
      const certs = path.join(home, "certs")
      fs.mkdirSync(certs, { recursive: true, mode: 0o755 })
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-keyout", path.join(certs, "server.key"), "-out", path.join(certs, "server.crt")], { stdio: "ignore" })
      const password = Redacted.make("conf-test-superuser-password")
      // Start once to initialise, then restart with the droplet's files in charge.
      yield* EmbeddedServer.ensureRunning({ home, superuser: "postgres", superuserPassword: password, port: Option.none(), settings: [] })
      yield* EmbeddedServer.stop(home)
      const { data } = EmbeddedServer.pathsOf(home)
      fs.copyFileSync("ops/postgresql.conf", path.join(data, "postgresql.conf"))
      // The container's hba rules, plus the loopback the test connects from.
      const hba = fs.readFileSync("ops/pg_hba.conf", "utf8").replace("# Everything else is refused.", "hostssl all postgres 127.0.0.1/32 scram-sha-256\n# Everything else is refused.")
      fs.writeFileSync(path.join(data, "pg_hba.conf"), hba)
      for (const f of ["server.key", "server.crt"]) fs.copyFileSync(path.join(certs, f), path.join(data, f))
      if (process.getuid?.() === 0) execFileSync("chown", ["postgres:postgres", path.join(data, "server.key"), path.join(data, "server.crt"), path.join(data, "pg_hba.conf"), path.join(data, "postgresql.conf")])
      fs.chmodSync(path.join(data, "server.key"), 0o600)
      const port = yield* EmbeddedServer.ensureRunning({
        home, superuser: "postgres", superuserPassword: password, port: Option.none(),
        // Only what differs between the container and this machine: paths and the listening address.
        settings: ["listen_addresses=127.0.0.1", "unix_socket_directories=''", `hba_file=${path.join(data, "pg_hba.conf")}`, "ssl_cert_file=server.crt", "ssl_key_file=server.key", "shared_preload_libraries=''"]
      })
      const checked = yield* Effect.scoped(Effect.gen(function*() {
        // hostssl rules only: a plain connection is refused, a TLS one (self-signed, sslmode=require) gets in.
        const plain = yield* Effect.either(connect({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres", ssl: "disable" }, { applicationName: "test:conf" }))
        expect(plain._tag).toBe("Left")
        const sql = yield* connect({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres", ssl: "require" }, { applicationName: "test:conf" })
        const settings = yield* sql<{ name: string; setting: string }>`
          SELECT name, setting FROM pg_settings WHERE name IN ('password_encryption', 'ssl', 'shared_buffers', 'log_connections', 'max_connections')`
        const errors = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM pg_hba_file_rules WHERE error IS NOT NULL`
        const weak = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM pg_hba_file_rules WHERE auth_method IN ('trust', 'password', 'md5', 'ident')`
        return { settings: Object.fromEntries(settings.map((s) => [s.name, s.setting])), errors: errors[0]!.n, weak: weak[0]!.n }
      }))
      yield* EmbeddedServer.stop(home)
      fs.rmSync(home, { recursive: true, force: true })
      expect(checked.settings).toMatchObject({ password_encryption: "scram-sha-256", ssl: "on", log_connections: "on", max_connections: "100", shared_buffers: String((768 * 1024) / 8) })
      expect(checked.errors).toBe("0")
      expect(checked.weak).toBe("0")
    }), 60_000)

  it("the Caddyfile is valid for Caddy (when Caddy is installed)", () => {
    const caddy = spawnSync("caddy", ["version"], { encoding: "utf8" })
    if (caddy.status !== 0) {
      // .ci/run installs Debian's caddy; on a machine without it this check cannot run, and says so.
      console.warn("caddy is not installed: the Caddyfile was not validated (apt-get install caddy)")
      return
    }
    const result = spawnSync("caddy", ["validate", "--config", "ops/Caddyfile", "--adapter", "caddyfile"], { encoding: "utf8" })
    expect(result.status, result.stderr).toBe(0)
  })
})
