import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"

const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }
const deno = JSON.parse(fs.readFileSync("deno.json", "utf8")) as { tasks: Record<string, string> }

describe("task manifests", () => {
  const npmTasks = Object.entries(pkg.scripts).filter(([, command]) => command.includes("tasks/"))
  const taskFiles = fs.readdirSync("tasks").filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))

  it("package.json and deno.json name the same tasks", () => {
    expect(Object.keys(deno.tasks).sort()).toEqual(npmTasks.map(([name]) => name).sort())
  })

  it("each name runs the same script under npm (tsx) and deno", () => {
    for (const [name, command] of npmTasks) {
      const script = /tasks\/[\w-]+\.ts/.exec(command)?.[0]
      expect([name, deno.tasks[name]?.includes(` ${script}`)]).toEqual([name, true])
    }
  })

  it("every script in tasks/ is listed", () => {
    const listed = npmTasks.map(([, command]) => /tasks\/([\w-]+\.ts)/.exec(command)?.[1])
    expect(taskFiles.filter((f) => !listed.includes(f))).toEqual([])
  })
})
