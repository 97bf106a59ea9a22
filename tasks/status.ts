/** `npm run status [--json] [--serve <port>]`: last runs, freshness, backups, drills, errors; non-zero when stale or failing. */
import { Options } from "@effect/cli"
import { Console, Effect, Option, Runtime, Schema } from "effect"
import * as http from "node:http"
import * as Task from "../lib/cli/Task.ts"
import { WarehouseWriter } from "../lib/db/Connections.ts"
import { formatStatus, statusReport, thresholdsConfig } from "../lib/ops/Status.ts"

class StatusNotOk extends Schema.TaggedError<StatusNotOk>("solohub/StatusNotOk")("StatusNotOk", { message: Schema.String }) {}

const json = Options.boolean("json").pipe(Options.withDescription("Print JSON"))
const serve = Options.integer("serve").pipe(Options.optional, Options.withDescription("Serve the report as JSON on this port (GET /health: 200 when OK, 503 otherwise)"))

const command = Task.make(
  "status",
  { json, serve },
  { description: "Report the health of every job, source, backup and drill.", ledger: "none", layer: () => WarehouseWriter.layer },
  (config) =>
    Effect.gen(function*() {
      const sql = yield* WarehouseWriter
      const thresholds = yield* thresholdsConfig
      if (Option.isSome(config.serve)) {
        const runtime = yield* Effect.runtime<never>()
        const server = http.createServer((req, res) => {
          if (req.url !== "/health" && req.url !== "/") {
            res.writeHead(404).end()
            return
          }
          Runtime.runPromise(runtime)(statusReport(sql, thresholds)).then(
            (report) => res.writeHead(report.ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(report)),
            () => res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, problems: ["the status query failed"] }))
          )
        })
        yield* Effect.async<never>(() => {
          server.listen(config.serve.pipe(Option.getOrThrow), "0.0.0.0")
          return Effect.sync(() => server.close())
        }).pipe(Effect.zipLeft(Effect.logInfo(`health endpoint on :${Option.getOrThrow(config.serve)}`)))
      }
      const report = yield* statusReport(sql, thresholds)
      yield* Console.log(config.json ? JSON.stringify(report, null, 2) : formatStatus(report))
      if (!report.ok) return yield* new StatusNotOk({ message: report.problems.join("; ") })
    })
)

Task.main(command, { logTo: "stderr" })
