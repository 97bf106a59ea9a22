/**
 * `npm run ask -- <question> [--format table|json|csv]`: the founder's named questions from a terminal, answered
 * by mcp_ro from the warehouse (the same queries as the MCP server's `ask` tool). `npm run ask -- list` lists them.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { Assistant } from "../lib/assistant/Assistant.ts"
import { formatResult } from "../lib/assistant/Format.ts"
import { questions } from "../lib/assistant/Questions.ts"
import * as Task from "../lib/cli/Task.ts"

const question = Args.choice([["list", "list"], ...questions.map((q): [string, string] => [q.name, q.name])], { name: "question" })
const format = Options.choice("format", ["table", "json", "csv"]).pipe(Options.withDefault("table" as const), Options.withDescription("How to print the answer"))

const command = Command.make("ask", { question, format }, (config) =>
  Effect.gen(function*() {
    if (config.question === "list") {
      return yield* Console.log(questions.map((q) => `${q.name.padEnd(24)} ${q.title}`).join("\n"))
    }
    const chosen = questions.find((q) => q.name === config.question)!
    const assistant = yield* Assistant
    const result = yield* assistant.ask(chosen)
    if (config.format === "table") yield* Console.log(`${chosen.title}\n`)
    yield* Console.log(formatResult(result, config.format))
  }).pipe(Effect.provide(Assistant.layer))
).pipe(Command.withDescription("Ask a named question of the warehouse, as the read-only assistant role (mcp_ro)."))

Task.main(command, { logTo: "stderr" })
