/**
 * The MCP server (the official TypeScript SDK, over stdio) that gives an AI
 * assistant exactly what mcp_ro can do: list and describe the warehouse's
 * models, run one read-only query with a row cap, and ask the named
 * questions. Errors come back as tool errors in plain words; a permission
 * error says the data is not available to the assistant, and nothing else.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { Effect, Either, Runtime } from "effect"
import { z } from "zod"
import { type AssistantShape, maxRowLimit } from "./Assistant.ts"
import { formatResult } from "./Format.ts"
import { questions } from "./Questions.ts"

type ToolAnswer = { content: Array<{ type: "text"; text: string }>; isError?: boolean }

const answer = async <A>(effect: Effect.Effect<A, { readonly message: string }>, render: (a: A) => string): Promise<ToolAnswer> => {
  const outcome = await Runtime.runPromise(Runtime.defaultRuntime)(Effect.either(effect))
  return Either.isRight(outcome)
    ? { content: [{ type: "text", text: render(outcome.right) }] }
    : { content: [{ type: "text", text: outcome.left.message }], isError: true }
}

export const makeServer = (assistant: AssistantShape) => {
  const server = new McpServer({ name: "solohub", version: "0.1.0" })
  const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }

  server.registerTool("list_models", {
    title: "List the warehouse models",
    description: "The business's warehouse: every table and view the assistant may read, with what it holds. Start here.",
    annotations: readOnly
  }, () => answer(assistant.listModels, (models) => models.map((m) => `${m.name} (${m.kind}): ${m.comment ?? ""}`).join("\n")))

  server.registerTool("describe_model", {
    title: "Describe a model",
    description: "The columns of one warehouse model, with their types and meaning.",
    inputSchema: { name: z.string().describe("A model name from list_models, e.g. page_daily") },
    annotations: readOnly
  }, ({ name }) =>
    answer(assistant.describeModel(name), (m) =>
      `${m.name}: ${m.comment ?? ""}\n\n${m.columns.map((c) => `- ${c.name} ${c.type}${c.comment === null ? "" : ` — ${c.comment}`}`).join("\n")}`))

  server.registerTool("query", {
    title: "Run a read-only SQL query",
    description: `One PostgreSQL SELECT over the warehouse schema (e.g. SELECT * FROM warehouse.page_daily WHERE date > current_date - 7). ` +
      `Read-only, 5 s limit, at most ${maxRowLimit} rows (the answer says when it was truncated). Personal data is not available.`,
    inputSchema: {
      sql: z.string().describe("A single SELECT statement"),
      max_rows: z.number().int().min(1).max(maxRowLimit).optional().describe("Row cap (default 200)")
    },
    annotations: readOnly
  }, ({ sql, max_rows }) => answer(assistant.query(sql, max_rows ?? 200), (r) => formatResult(r, "json")))

  server.registerTool("ask", {
    title: "Ask a named business question",
    description: `Ready-made answers: ${questions.map((q) => `${q.name} (${q.title})`).join("; ")}.`,
    inputSchema: { question: z.enum(questions.map((q) => q.name) as [string, ...Array<string>]) },
    annotations: readOnly
  }, ({ question }) => {
    const chosen = questions.find((q) => q.name === question)!
    return answer(assistant.ask(chosen), (r) => `${chosen.title}\n\n${formatResult(r, "table")}`)
  })

  return server
}
