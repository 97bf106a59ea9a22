/** `npm run db -- start|stop|status|url <role>`: the embedded server, and connection URLs per role. */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option, Redacted } from "effect"
import * as Task from "../lib/cli/Task.ts"
import { settingsConfig } from "../lib/config/Settings.ts"
import { Cluster } from "../lib/db/Cluster.ts"
import * as EmbeddedServer from "../lib/db/EmbeddedServer.ts"
import { loginRoles, roleDescriptions } from "../lib/db/Layout.ts"
import { roleUrl } from "../lib/db/Urls.ts"

const externalNote = "SOLOHUB_ADMIN_URL is set: solohub uses that server and starts nothing of its own"

const start = Task.make("start", {}, { description: "Start the embedded PostgreSQL (or reuse it if running).", ledger: "none" }, () =>
  Effect.gen(function*() {
    const cluster = yield* Cluster
    yield* Console.log(cluster.embedded ? `embedded PostgreSQL running on 127.0.0.1:${cluster.port}` : externalNote)
  }))

// status and stop must not start the server, so they read settings directly.
const stop = Command.make("stop", {}, () =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    if (Option.isSome(settings.adminUrl)) return yield* Console.log(externalNote)
    const stopped = yield* EmbeddedServer.stop(settings.home)
    yield* Console.log(stopped ? "embedded PostgreSQL stopped" : "embedded PostgreSQL was not running")
  })).pipe(Command.withDescription("Stop the embedded PostgreSQL."))

const status = Command.make("status", {}, () =>
  Effect.gen(function*() {
    const settings = yield* settingsConfig
    if (Option.isSome(settings.adminUrl)) return yield* Console.log(externalNote)
    const current = yield* EmbeddedServer.status(settings.home)
    yield* Console.log(
      current.running
        ? `running on 127.0.0.1:${Option.getOrElse(current.port, () => 0)} (pid ${Option.getOrElse(current.pid, () => 0)}), data in ${current.dataDirectory}`
        : current.initialised
        ? `stopped; data in ${current.dataDirectory}`
        : `not initialised; \`npm run db -- start\` creates it in ${current.dataDirectory}`
    )
  })).pipe(Command.withDescription("Say whether the embedded PostgreSQL is running, and where."))

const role = Args.choice(loginRoles.map((r) => [r, r] as const), { name: "role" }).pipe(
  Args.withDescription(`One of: ${loginRoles.map((r) => `${r} (${roleDescriptions[r]})`).join("; ")}`)
)
const product = Options.text("product").pipe(
  Options.optional,
  Options.withDescription("For app_rw: which product's database (default: the first configured)")
)

const url = Task.make("url", { role, product }, {
  description: "Print the connection URL of a login role (for psql or an MCP config). It contains the password.",
  ledger: "none"
}, (config) =>
  Effect.gen(function*() {
    const value = yield* roleUrl(config.role, Option.getOrUndefined(config.product))
    yield* Console.log(Redacted.value(value))
  }))

const db = Command.make("db").pipe(
  Command.withDescription("Manage the embedded PostgreSQL and print connection URLs."),
  Command.withSubcommands([start, stop, status, url])
)

Task.main(db, { logTo: "stderr" })
