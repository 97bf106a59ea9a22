/** `npm run backlog [--check]`: write BACKLOG.md from lib/backlog (or check that it is current). */
import { Options } from "@effect/cli"
import { Console, Effect, Schema } from "effect"
import * as fs from "node:fs/promises"
import * as Task from "../lib/cli/Task.ts"
import { renderBacklog } from "../lib/backlog/Markdown.ts"

class BacklogOutdatedError extends Schema.TaggedError<BacklogOutdatedError>("solohub/BacklogOutdatedError")("BacklogOutdatedError", {
  message: Schema.String
}) {}

const check = Options.boolean("check").pipe(Options.withDescription("Fail if BACKLOG.md differs from the data instead of writing it"))

const command = Task.make("backlog", { check }, { description: "Generate BACKLOG.md from the backlog data in lib/backlog.", ledger: "none" }, (config) =>
  Effect.gen(function*() {
    const rendered = renderBacklog()
    const current = yield* Effect.promise(() => fs.readFile("BACKLOG.md", "utf8").catch(() => ""))
    if (config.check) {
      if (current !== rendered) return yield* new BacklogOutdatedError({ message: "BACKLOG.md differs from lib/backlog: run `npm run backlog`" })
      return yield* Console.log("BACKLOG.md is current")
    }
    yield* Effect.promise(() => fs.writeFile("BACKLOG.md", rendered))
    yield* Console.log(current === rendered ? "BACKLOG.md was already current" : "BACKLOG.md written")
  }))

Task.main(command, { logTo: "stderr" })
