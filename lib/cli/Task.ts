/**
 * The task runner. Every job in `tasks/` is one `Task.make(...)` passed to
 * `Task.main(...)`, which gives it: `--help` and option parsing (@effect/cli),
 * an advisory lock so two runs never overlap, a row in `ops.task_runs`,
 * failures in `ops.errors`, JSON log lines for cron, and a non-zero exit code
 * on failure (75 when another run holds the lock).
 *
 * Overlap policy: a second run does not queue behind the first; it waits at
 * most SOLOHUB_LOCK_WAIT_SECONDS (default 0) and then exits with "already
 * running", so a slow night never piles up cron jobs.
 */
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import {
  Cause,
  Config,
  ConfigError,
  Context,
  Duration,
  Effect,
  Exit,
  Layer,
  Logger,
  LogLevel,
  Option,
  Ref
} from "effect"
import { scrubText, toSafeJson } from "../config/Redact.ts"
import { Admin, HubWriter } from "../db/Connections.ts"
import { Cluster } from "../db/Cluster.ts"
import { Layout } from "../db/Layout.ts"
import type { ClusterError } from "../db/errors.ts"
import { TaskLockedError } from "../ops/errors.ts"
import { TaskLedger } from "../ops/TaskLedger.ts"

/** What a running task can tell the ledger about its work. */
export interface TaskRunShape {
  readonly task: string
  readonly runId: number
  /** Adds to the run's `rows_touched`. */
  readonly addRows: (rows: number) => Effect.Effect<void>
  /** Records a warning on the run (shown by status, kept in `ops.task_runs.warnings`). */
  readonly warn: (message: string, details?: Record<string, unknown>) => Effect.Effect<void>
  /**
   * A warning that needs the founder: the run still succeeds, but the process
   * exits with {@link attentionExitCode} so cron mails its output.
   */
  readonly attention: (message: string, details?: Record<string, unknown>) => Effect.Effect<void>
}

/** Exit code of a successful run that asked for attention (a trigger fired). */
export const attentionExitCode = 3
let attentionRequested = false

export class TaskRun extends Context.Tag("solohub/cli/TaskRun")<TaskRun, TaskRunShape>() {}

/** Where a task's ledger lives: the hub (through hub_rw), the admin connection (provisioning), or nowhere. */
export type LedgerKind = "hub" | "admin" | "none"

export interface TaskSettings<A> {
  readonly description: string
  /** The lock's key; runs with the same key never overlap. Default: the task's name. */
  readonly lockKey?: (config: A) => string
  readonly ledger?: LedgerKind
}

const waitForLock = Config.integer("SOLOHUB_LOCK_WAIT_SECONDS").pipe(
  Config.withDefault(0),
  Config.validate({ message: "SOLOHUB_LOCK_WAIT_SECONDS must be 0 or more", validation: (n) => n >= 0 })
)

/** Every problem in a ConfigError, each naming its variable. */
export const describeConfigError = (error: ConfigError.ConfigError): string => {
  switch (error._op) {
    case "And":
    case "Or":
      return `${describeConfigError(error.left)}; ${describeConfigError(error.right)}`
    case "MissingData":
      return `missing setting ${error.path.join("_")}`
    case "InvalidData": {
      const variable = error.path.join("_")
      return error.message.startsWith(variable) ? error.message : `${variable}: ${error.message}`
    }
    case "SourceUnavailable":
      return `cannot read settings (${error.path.join("_")}): ${error.message}`
    case "Unsupported":
      return `${error.path.join("_")}: ${error.message}`
  }
}

/** A one-line description of a failure, safe for logs and ops.errors. */
export const describeCause = (cause: Cause.Cause<unknown>): { tag: string; message: string; context: unknown } => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && ConfigError.isConfigError(failure.value)) {
    return { tag: "ConfigError", message: describeConfigError(failure.value), context: {} }
  }
  if (Option.isSome(failure)) {
    const error = failure.value as { _tag?: string; message?: string }
    const tag = typeof error === "object" && error !== null && typeof error._tag === "string" ? error._tag : "Error"
    const message = typeof error === "object" && error !== null && typeof error.message === "string" && error.message !== ""
      ? error.message
      : String(error)
    return { tag, message: scrubText(message), context: toSafeJson(error) }
  }
  if (Cause.isInterruptedOnly(cause)) return { tag: "Interrupted", message: "the task was interrupted", context: {} }
  const defect = Cause.squash(cause)
  return {
    tag: "Defect",
    message: scrubText(defect instanceof Error ? defect.message : String(defect)),
    context: { stack: scrubText(defect instanceof Error ? String(defect.stack) : "") }
  }
}

/** Runs a handler under the job's lock, recording the run and any failure in the ledger. */
export const supervised = <A, E, R>(
  task: string,
  args: unknown,
  lockKey: string,
  handler: Effect.Effect<A, E, R>,
  wait = 0
): Effect.Effect<A, E | TaskLockedError, Exclude<R, TaskRun> | TaskLedger> =>
  Effect.scoped(
    Effect.gen(function*() {
      const ledger = yield* TaskLedger
      const locked = yield* ledger.lock(lockKey, Duration.seconds(wait)).pipe(Effect.orDie)
      if (!locked) {
        return yield* new TaskLockedError({
          task,
          lockKey,
          message: `${task} is already running (lock "${lockKey}" is held by another run); not starting a second one`
        })
      }
      const safeArgs = toSafeJson(args)
      const runId = yield* ledger.begin(task, safeArgs).pipe(Effect.orDie)
      const rows = yield* Ref.make(0)
      const warnings = yield* Ref.make<Array<unknown>>([])
      const run: TaskRunShape = {
        task,
        runId,
        addRows: (n) => Ref.update(rows, (r) => r + n),
        warn: (message, details) =>
          Ref.update(warnings, (w) => [...w, { message: scrubText(message), ...(toSafeJson(details ?? {}) as object) }]).pipe(
            Effect.zipRight(Effect.logWarning(message).pipe(Effect.annotateLogs({ task, ...(toSafeJson(details ?? {}) as object) })))
          ),
        attention: (message, details) =>
          Effect.zipRight(Effect.sync(() => (attentionRequested = true)), run.warn(message, details))
      }
      yield* Effect.logInfo(`${task} started`).pipe(Effect.annotateLogs({ task, runId, args: safeArgs }))
      const started = Date.now()
      const exit = yield* Effect.exit(Effect.provideService(handler, TaskRun, run))
      const outcome = {
        rowsTouched: yield* Ref.get(rows),
        warnings: yield* Ref.get(warnings)
      }
      const seconds = (Date.now() - started) / 1000
      if (Exit.isSuccess(exit)) {
        yield* ledger.finish(runId, { status: "succeeded", error: null, ...outcome }).pipe(Effect.orDie)
        yield* Effect.logInfo(`${task} succeeded`).pipe(
          Effect.annotateLogs({ task, runId, seconds, rowsTouched: outcome.rowsTouched, warnings: outcome.warnings.length })
        )
      } else {
        const error = describeCause(exit.cause)
        // The ledger must not hide the task's own error: recording failures are logged, not raised.
        yield* ledger.recordError(runId, task, error).pipe(
          Effect.zipRight(ledger.finish(runId, { status: "failed", error: `${error.tag}: ${error.message}`, ...outcome })),
          Effect.catchAll((e) => Effect.logError(`could not record the failure in ops: ${scrubText(e.message)}`))
        )
      }
      return yield* exit
    })
  )

const noLedger = Layer.succeed(TaskLedger, {
  lock: () => Effect.succeed(true),
  begin: () => Effect.succeed(0),
  finish: () => Effect.void,
  recordError: () => Effect.void
})

const unrecordedRun = (task: string): TaskRunShape => ({
  task,
  runId: 0,
  addRows: () => Effect.void,
  warn: (message) => Effect.logWarning(message),
  attention: (message) => Effect.zipRight(Effect.sync(() => (attentionRequested = true)), Effect.logWarning(message))
})

/** Where every task finds the server and the layout; memoized, so built once per run. */
export const infrastructure = Layer.merge(Layout.layer, Cluster.layer)

/** The ledger for a kind of task. */
export const ledgerLayer = (kind: LedgerKind): Layer.Layer<TaskLedger, ConfigError.ConfigError | ClusterError, Layout | Cluster> => {
  switch (kind) {
    case "hub":
      return TaskLedger.layer.pipe(Layer.provide(HubWriter.layer))
    case "admin":
      return TaskLedger.layerAdmin.pipe(Layer.provide(Admin.layer))
    case "none":
      return noLedger
  }
}

/**
 * Defines a task: its options (an @effect/cli config), its handler, and how it
 * is supervised. `layer` provides what the handler needs; it is built only
 * when the task really runs (not for --help).
 */
export const make = <Name extends string, const Cfg extends Command.Command.Config, A, E, R, LE = never>(
  name: Name,
  config: Cfg,
  settings: TaskSettings<Command.Command.ParseConfig<Cfg>> & {
    readonly layer?: (
      config: Command.Command.ParseConfig<Cfg>
    ) => Layer.Layer<Exclude<R, TaskRun | Layout | Cluster | TaskLedger>, LE, Layout | Cluster>
  },
  handler: (config: Command.Command.ParseConfig<Cfg>) => Effect.Effect<A, E, R>
) =>
  Command.make(name, config, (parsedConfig) => {
    const parsed = parsedConfig as unknown as Command.Command.ParseConfig<Cfg>
    const kind = settings.ledger ?? "hub"
    // Tasks without a ledger (db url, db start) are not jobs: no lock, no run row.
    const body = kind === "none"
      ? Effect.provideService(handler(parsed), TaskRun, unrecordedRun(name))
      : Effect.flatMap(waitForLock, (wait) => supervised(name, parsed, settings.lockKey?.(parsed) ?? name, handler(parsed), wait))
    const layer = Layer.merge(
      settings.layer?.(parsed) ?? (Layer.empty as unknown as Layer.Layer<Exclude<R, TaskRun | Layout | Cluster | TaskLedger>>),
      ledgerLayer(kind)
    ).pipe(Layer.provideMerge(infrastructure))
    // Settings are read before any layer connects, so a bad one stops the task before any work.
    return Effect.zipRight(waitForLock, Effect.asVoid(Effect.provide(body, layer)))
  }).pipe(Command.withDescription(settings.description))

const logFormat = Config.literal("json", "pretty")("SOLOHUB_LOG_FORMAT").pipe(
  Config.withDefault(process.stdout.isTTY ? "pretty" as const : "json" as const)
)

/** The logger: JSON lines (cron) or pretty (a terminal), to stdout or stderr. */
export const loggerLayer = (target: "stdout" | "stderr") =>
  Layer.unwrapEffect(Effect.map(Effect.orElseSucceed(logFormat, () => "json" as const), (format) => {
    const base = format === "json" ? Logger.jsonLogger : Logger.logfmtLogger
    const sink = target === "stdout" ? Logger.withConsoleLog(base) : Logger.withConsoleError(base)
    return Layer.merge(
      Logger.replace(Logger.defaultLogger, format === "pretty" && target === "stdout" ? Logger.prettyLoggerDefault : sink),
      Logger.minimumLogLevel(LogLevel.Info)
    )
  }))

/** Exit code when another run holds the job's lock (EX_TEMPFAIL). */
export const lockedExitCode = 75

/** Runs a task (or a command with subcommands) as the process's main program. */
export const main = <Name extends string, E, A>(
  command: Command.Command<Name, never, E, A> | Command.Command<Name, NodeContext.NodeContext, E, A>,
  options: { readonly logTo?: "stdout" | "stderr" } = {}
): void => {
  const cli = Command.run(command, { name: "solohub", version: "0.1.0" })
  const program = Effect.suspend(() => cli(process.argv)).pipe(
    Effect.tapErrorCause((cause) => {
      const failure = Cause.failureOption(cause)
      // @effect/cli has already printed usage errors.
      if (Option.isSome(failure) && ValidationError.isValidationError(failure.value)) return Effect.void
      const { tag, message } = describeCause(cause)
      return Effect.logError(message).pipe(Effect.annotateLogs({ error: tag }))
    }),
    Effect.provide(NodeContext.layer),
    Effect.provide(loggerLayer(options.logTo ?? "stdout"))
  )
  NodeRuntime.runMain(program as Effect.Effect<void, unknown>, {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      if (Exit.isSuccess(exit)) return onExit(attentionRequested ? attentionExitCode : 0)
      const failure = Cause.failureOption(exit.cause)
      onExit(Option.isSome(failure) && failure.value instanceof TaskLockedError ? lockedExitCode : 1)
    }
  })
}
