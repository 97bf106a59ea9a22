/**
 * `npm run mcp`: the MCP server for an AI assistant (Claude Code: docs/assistant.md), over stdio, as mcp_ro only —
 * SOLOHUB_ASSISTANT_URL (e.g. through an SSH tunnel to the droplet) or the local layout's mcp_ro. stdout is the MCP
 * channel: logs and the query audit go to stderr (or SOLOHUB_ASSISTANT_AUDIT_FILE).
 */
import { Command } from "@effect/cli"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Effect } from "effect"
import { Assistant } from "../lib/assistant/Assistant.ts"
import { makeServer } from "../lib/assistant/Mcp.ts"
import * as Task from "../lib/cli/Task.ts"

const command = Command.make("mcp", {}, () =>
  Effect.gen(function*() {
    const assistant = yield* Assistant
    const server = makeServer(assistant)
    const transport = new StdioServerTransport()
    yield* Effect.promise(() => server.connect(transport))
    yield* Effect.logInfo("solohub MCP server ready on stdio (as mcp_ro)")
    // Serve until the client closes stdin.
    yield* Effect.async<void>((resume) => {
      server.server.onclose = () => resume(Effect.void)
    })
  }).pipe(Effect.scoped, Effect.provide(Assistant.layer))
).pipe(Command.withDescription("Serve the warehouse to an AI assistant over MCP (stdio), as the read-only role mcp_ro."))

Task.main(command, { logTo: "stderr" })
