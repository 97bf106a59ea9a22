/**
 * What the assistant can do, as mcp_ro and nothing more: list and describe the
 * warehouse's models (what mcp_ro may see, with their comments), run one
 * read-only statement with a row cap, and ask the named questions. Every query
 * goes to an audit log as a fingerprint (literals replaced), never with values.
 */
import type { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Option, Schema } from "effect"
import * as fs from "node:fs"
import { Config } from "effect"
import { Cluster, parsePostgresUrl } from "../db/Cluster.ts"
import { Layout } from "../db/Layout.ts"
import { AssistantReader, connect, errorCode } from "../db/Connections.ts"
import { type Question, questions } from "./Questions.ts"

export class AssistantError extends Schema.TaggedError<AssistantError>("solohub/AssistantError")("AssistantError", {
  reason: Schema.Literal("NotAvailable", "NotReadOnly", "Invalid", "Timeout", "Failed"),
  message: Schema.String
}) {}

export interface QueryResult {
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<Record<string, unknown>>
  readonly truncated: boolean
  readonly rowLimit: number
}

/** The statement's shape without its values: strings, numbers and dollar-quoted bodies become `?`. */
export const fingerprint = (statement: string) =>
  statement
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, "?")
    .replace(/'(?:[^']|'')*'/g, "?")
    .replace(/\b\d+(?:\.\d+)?\b/g, "?")
    .replace(/\s+/g, " ")
    .trim()

const audit = (entry: Record<string, unknown>) =>
  Effect.sync(() => {
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`
    const file = process.env.SOLOHUB_ASSISTANT_AUDIT_FILE
    // stdout is the MCP channel: the audit goes to a file or stderr.
    if (file !== undefined && file !== "") fs.appendFileSync(file, line, { mode: 0o600 })
    else process.stderr.write(line)
  })

const notAvailable = "That data is not available to the assistant: it is personal data or outside the warehouse. Ask with warehouse models only (list_models shows them)."

const classify = (error: unknown): AssistantError => {
  const code = errorCode(error)
  if (code === "42501") return new AssistantError({ reason: "NotAvailable", message: notAvailable })
  if (code === "25006") return new AssistantError({ reason: "NotReadOnly", message: "The assistant can only read: this statement would write." })
  if (code === "57014") return new AssistantError({ reason: "Timeout", message: "The query took longer than the assistant's 5 s limit; narrow it (a date range, fewer rows)." })
  const message = (error as { cause?: { message?: string } }).cause?.message ?? (error as { message?: string }).message ?? String(error)
  return new AssistantError({ reason: code?.startsWith("42") === true ? "Invalid" : "Failed", message: `The query failed (${code ?? "?"}): ${message}` })
}

export interface AssistantShape {
  readonly listModels: Effect.Effect<ReadonlyArray<{ name: string; kind: string; comment: string | null }>, AssistantError>
  readonly describeModel: (name: string) => Effect.Effect<{ name: string; comment: string | null; columns: ReadonlyArray<{ name: string; type: string; comment: string | null }> }, AssistantError>
  readonly query: (statement: string, maxRows?: number) => Effect.Effect<QueryResult, AssistantError>
  readonly ask: (question: Question) => Effect.Effect<QueryResult, AssistantError>
}

export const maxRowLimit = 1000

export const make = (sql: PgClient.PgClient): AssistantShape => {
  const run = (tool: string, statement: string, maxRows: number) =>
    Effect.gen(function*() {
      const body = statement.trim().replace(/;\s*$/, "")
      if (body === "") return yield* new AssistantError({ reason: "Invalid", message: "Empty query." })
      const limit = Math.max(1, Math.min(maxRows, maxRowLimit))
      const started = Date.now()
      // One SELECT only: wrapped as a subquery (a second statement or a data-modifying WITH is a syntax error there),
      // sent with a parameter (the extended protocol runs exactly one statement), in a READ ONLY transaction.
      const rows = yield* sql.withTransaction(
        Effect.zipRight(
          sql.unsafe("SET TRANSACTION READ ONLY"),
          sql.unsafe<Record<string, unknown>>(`SELECT * FROM (\n${body}\n) AS answer LIMIT $1`, [limit + 1])
        )
      ).pipe(
        Effect.mapError(classify),
        Effect.tapError((error) => audit({ tool, query: fingerprint(body), outcome: error.reason, ms: Date.now() - started }))
      )
      const truncated = rows.length > limit
      const kept = truncated ? rows.slice(0, limit) : rows
      yield* audit({ tool, query: fingerprint(body), outcome: "ok", rows: kept.length, truncated, ms: Date.now() - started })
      return { columns: Object.keys(rows[0] ?? {}), rows: kept, truncated, rowLimit: limit } satisfies QueryResult
    })
  return {
    listModels: sql<{ name: string; kind: string; comment: string | null }>`
      SELECT c.relname AS name, CASE c.relkind WHEN 'v' THEN 'view (a named question)' ELSE 'table' END AS kind, obj_description(c.oid, 'pg_class') AS comment
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'warehouse' AND c.relkind IN ('r', 'v', 'm', 'p') AND c.relname <> 'etl_cursors'
         AND has_any_column_privilege(c.oid, 'SELECT')
       ORDER BY c.relkind DESC, c.relname`.pipe(Effect.mapError(classify)),
    describeModel: (name) =>
      Effect.gen(function*() {
        const columns = yield* sql<{ name: string; type: string; comment: string | null; relcomment: string | null }>`
          SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, col_description(c.oid, a.attnum) AS comment,
                 obj_description(c.oid, 'pg_class') AS relcomment
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
           WHERE n.nspname = 'warehouse' AND c.relname = ${name} AND a.attnum > 0 AND NOT a.attisdropped
             AND has_column_privilege(c.oid, a.attnum, 'SELECT')
           ORDER BY a.attnum`.pipe(Effect.mapError(classify))
        if (columns.length === 0) return yield* new AssistantError({ reason: "NotAvailable", message: `No model "${name}" is available to the assistant (list_models shows them).` })
        return { name, comment: columns[0]!.relcomment, columns: columns.map(({ relcomment: _, ...c }) => c) }
      }),
    query: (statement, maxRows = 200) => run("query", statement, maxRows),
    ask: (question) => run(`ask:${question.name}`, question.sql, maxRowLimit)
  }
}

export class Assistant extends Context.Tag("solohub/assistant/Assistant")<Assistant, AssistantShape>() {
  /**
   * As mcp_ro: from SOLOHUB_ASSISTANT_URL (a postgres:// URL for mcp_ro, e.g. through an SSH tunnel — the only
   * credential the assistant's machine needs) or, without it, the local layout's mcp_ro.
   */
  static readonly layer = Layer.unwrapEffect(Effect.gen(function*() {
    const url = yield* Config.option(Config.redacted("SOLOHUB_ASSISTANT_URL"))
    if (Option.isSome(url)) {
      const params = yield* parsePostgresUrl("SOLOHUB_ASSISTANT_URL", url.value)
      return Layer.scoped(Assistant, Effect.map(connect(params, { applicationName: "solohub:assistant", maxConnections: 2 }), make))
    }
    // The local layout (embedded default or SOLOHUB_ADMIN_URL's server) is looked at only without the URL.
    return Layer.effect(Assistant, Effect.map(AssistantReader, make)).pipe(
      Layer.provide(AssistantReader.layer),
      Layer.provide(Layer.merge(Layout.layer, Cluster.layer))
    )
  }))
}

export const findQuestion = (name: string) => questions.find((q) => q.name === name)
