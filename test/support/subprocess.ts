/** Runs a task script in a child process, as cron would. */
import { spawn } from "node:child_process"
import * as path from "node:path"

export interface Finished {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const root = path.resolve(import.meta.dirname, "..", "..")

/** The environment without any SOLOHUB_* variable of the caller, plus `env`. */
export const cleanEnv = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("SOLOHUB_")))
  return { ...base, SOLOHUB_LOG_FORMAT: "json", NO_COLOR: "1", ...env }
}

/** Starts a command in the project root; resolves when it exits. */
export const start = (command: string, args: ReadonlyArray<string>, env: Record<string, string>) => {
  const child = spawn(command, args, { cwd: root, env: cleanEnv(env) })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk) => (stdout += chunk))
  child.stderr.on("data", (chunk) => (stderr += chunk))
  const done = new Promise<Finished>((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })))
  return { child, done }
}

/** Runs a TypeScript task with tsx. */
export const runTask = (script: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  start(path.join(root, "node_modules", ".bin", "tsx"), [script, ...args], env).done
