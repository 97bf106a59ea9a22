import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { connect } from "../lib/db/Connections.ts"
import * as EmbeddedServer from "../lib/db/EmbeddedServer.ts"
import { makeLayout } from "../lib/db/Layout.ts"
import { runCheck } from "./Audit.ts"
import { catalogChecks } from "./catalogChecks.ts"
import type { AuditEnv } from "./Check.ts"

const c18 = catalogChecks.find((c) => c.id === "C18")!

/** C18 reads pg_hba.conf, which is the server's own: it gets a server of its own here. */
describe("C18 on a server of its own", () => {
  it.live("passes with the default SCRAM rules and fails when pg_hba.conf trusts a network", () =>
    Effect.gen(function*() {
      const home = path.resolve(".solohub", `test-hba-${randomBytes(4).toString("hex")}`)
      const password = Redacted.make("hba-test-superuser-password")
      const start = EmbeddedServer.ensureRunning({ home, superuser: "postgres", superuserPassword: password, port: Option.none(), settings: ["fsync=off"] })
      const port = yield* start
      const env = {
        layout: makeLayout({ namespace: "", hubDatabase: "postgres", products: [] }),
        admin: (database: string) =>
          connect({ host: "127.0.0.1", port, user: "postgres", password, database, ssl: "disable" }, { applicationName: "test:hba" })
      } as unknown as AuditEnv
      const clean = yield* runCheck(c18, env)
      expect(clean.status, clean.findings.join("; ")).toBe("pass")
      const hba = path.join(EmbeddedServer.pathsOf(home).data, "pg_hba.conf")
      const rules = yield* Effect.promise(() => fs.readFile(hba, "utf8"))
      yield* Effect.promise(() => fs.writeFile(hba, `host all all 10.0.0.0/8 trust\n${rules}`))
      yield* Effect.scoped(Effect.flatMap(env.admin("postgres"), (sql) => sql`SELECT pg_reload_conf()`))
      const broken = yield* runCheck(c18, env)
      expect(broken.status).toBe("fail")
      expect(broken.findings.join(" ")).toContain("uses trust")
      yield* EmbeddedServer.stop(home)
      yield* Effect.promise(() => fs.rm(home, { recursive: true, force: true }))
    }), 60_000)
})
