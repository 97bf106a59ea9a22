/**
 * The task ledger: advisory locks so two runs of a job never overlap, one row
 * per run in `ops.task_runs`, failures in `ops.errors`. Written by `hub_rw`
 * (provisioning, which creates the hub, uses the admin connection instead).
 */
import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { PgClient } from "@effect/sql-pg"
import { Context, Duration, Effect, Layer, type Scope } from "effect"
import * as os from "node:os"
import { Admin, HubWriter } from "../db/Connections.ts"
import { Layout } from "../db/Layout.ts"

export type RunStatus = "succeeded" | "failed" | "skipped"

export interface RunOutcome {
  readonly status: RunStatus
  readonly rowsTouched: number
  readonly warnings: ReadonlyArray<unknown>
  readonly error: string | null
}

export interface ErrorRecord {
  readonly tag: string
  readonly message: string
  readonly context: unknown
}

export interface TaskLedgerShape {
  /**
   * Takes the job's advisory lock on a reserved connection, held until the
   * scope closes; waits up to `wait`. False when another run holds it.
   */
  readonly lock: (key: string, wait: Duration.DurationInput) => Effect.Effect<boolean, SqlError, Scope.Scope>
  /** Records the start of a run; returns its id. */
  readonly begin: (task: string, args: unknown) => Effect.Effect<number, SqlError>
  readonly finish: (runId: number, outcome: RunOutcome) => Effect.Effect<void, SqlError>
  readonly recordError: (runId: number, task: string, error: ErrorRecord) => Effect.Effect<void, SqlError>
}

const lockOn = (sql: SqlClient.SqlClient) => (key: string, wait: Duration.DurationInput) =>
  Effect.gen(function*() {
    const connection = yield* sql.reserve
    const deadline = Date.now() + Duration.toMillis(Duration.decode(wait))
    const attempt = connection.execute(
      "SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked",
      [`solohub:task:${key}`],
      undefined
    ).pipe(Effect.map((rows) => rows[0]?.locked === true))
    let locked = yield* attempt
    while (!locked && Date.now() < deadline) {
      yield* Effect.sleep(Duration.millis(Math.min(500, Math.max(10, deadline - Date.now()))))
      locked = yield* attempt
    }
    if (locked) {
      yield* Effect.addFinalizer(() =>
        connection.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`solohub:task:${key}`], undefined)
          .pipe(Effect.ignore)
      )
    }
    return locked
  })

const json = (value: unknown) => JSON.stringify(value ?? null)

const recordOn = (sql: SqlClient.SqlClient) => ({
  begin: (task: string, args: unknown) =>
    sql<{ id: string }>`
      INSERT INTO ops.task_runs (task, args, status, host, pid)
      VALUES (${task}, ${json(args)}::jsonb, 'running', ${os.hostname()}, ${process.pid})
      RETURNING id`.pipe(Effect.map((rows) => Number(rows[0]!.id))),
  finish: (runId: number, outcome: RunOutcome) =>
    sql`
      UPDATE ops.task_runs
         SET status = ${outcome.status}, finished_at = clock_timestamp(), rows_touched = ${outcome.rowsTouched},
             warnings = ${json(outcome.warnings)}::jsonb, error = ${outcome.error}
       WHERE id = ${runId}`.pipe(Effect.asVoid),
  recordError: (runId: number, task: string, error: ErrorRecord) =>
    sql`
      INSERT INTO ops.errors (run_id, task, error_tag, message, context)
      VALUES (${runId > 0 ? runId : null}, ${task}, ${error.tag}, ${error.message}, ${json(error.context)}::jsonb)`
      .pipe(Effect.asVoid)
})

const fromClient = (sql: PgClient.PgClient): TaskLedgerShape => ({ lock: lockOn(sql), ...recordOn(sql) })

/** The ledger every task uses, through `hub_rw`. */
export class TaskLedger extends Context.Tag("solohub/ops/TaskLedger")<TaskLedger, TaskLedgerShape>() {
  static readonly layer: Layer.Layer<TaskLedger, never, HubWriter> = Layer.effect(TaskLedger, Effect.map(HubWriter, fromClient))

  /**
   * Provisioning's ledger: the lock lives in the maintenance database (the hub
   * may not exist yet) and the run is written to the hub once it is there.
   */
  static readonly layerAdmin: Layer.Layer<TaskLedger, never, Admin | Layout> = Layer.effect(
    TaskLedger,
    Effect.gen(function*() {
      const admin = yield* Admin
      const layout = yield* Layout
      const started = new Map<number, { task: string; args: unknown; startedAt: Date }>()
      const pendingErrors = new Map<number, Array<{ task: string; error: ErrorRecord }>>()
      let next = 0
      const onHub = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, SqlError>) =>
        Effect.scoped(Effect.flatMap(admin.connect(layout.hubDatabase), f)).pipe(
          Effect.catchTag("ClusterError", () => Effect.void)
        )
      return {
        lock: lockOn(admin.client),
        begin: (task, args) =>
          Effect.sync(() => {
            next -= 1
            started.set(next, { task, args, startedAt: new Date() })
            return next
          }),
        recordError: (runId, task, error) =>
          Effect.sync(() => {
            pendingErrors.set(runId, [...(pendingErrors.get(runId) ?? []), { task, error }])
          }),
        finish: (runId, outcome) =>
          onHub((sql) =>
            Effect.gen(function*() {
              const run = started.get(runId)
              if (run === undefined) return
              const rows = yield* sql<{ id: string }>`
                INSERT INTO ops.task_runs (task, args, status, started_at, finished_at, rows_touched, warnings, error, host, pid)
                VALUES (${run.task}, ${json(run.args)}::jsonb, ${outcome.status}, ${run.startedAt}, clock_timestamp(),
                        ${outcome.rowsTouched}, ${json(outcome.warnings)}::jsonb, ${outcome.error}, ${os.hostname()}, ${process.pid})
                RETURNING id`
              const id = Number(rows[0]!.id)
              for (const pending of pendingErrors.get(runId) ?? []) {
                yield* recordOn(sql).recordError(id, pending.task, pending.error)
              }
            })
          ).pipe(Effect.catchAll(() => Effect.void))
      }
    })
  )
}
