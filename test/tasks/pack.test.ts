import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

describe("npm pack", () => {
  it("produces a package another project imports by entry point with plain Node", () => {
    const root = process.cwd()
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "solohub-pack-"))
    try {
      const out = execFileSync("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      const [info] = JSON.parse(out.slice(out.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>
      const files = info!.files.map((f) => f.path)
      expect(files).toContain("dist/lib/db/index.js")
      expect(files).toContain("dist/lib/db/index.d.ts")
      expect(files).toContain("sql/hub/0001_foundation.sql")
      expect(files.some((f) => f.startsWith("test/") || f.startsWith(".solohub"))).toBe(false)
      // Install it as a consumer would (dependencies borrowed from this checkout).
      const consumer = path.join(scratch, "consumer")
      const target = path.join(consumer, "node_modules", "solohub")
      fs.mkdirSync(target, { recursive: true })
      execFileSync("tar", ["-xzf", path.join(scratch, info!.filename), "-C", target, "--strip-components=1"])
      for (const dep of fs.readdirSync(path.join(root, "node_modules"))) {
        if (dep === ".bin" || dep === "solohub") continue
        fs.symlinkSync(path.join(root, "node_modules", dep), path.join(consumer, "node_modules", dep))
      }
      fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ type: "module" }))
      const script = `
        const db = await import("solohub/db")
        const config = await import("solohub/config")
        const pii = await import("solohub/pii")
        if (typeof pii.pii !== "function") throw new Error("solohub/pii has no pii()")
        const migrations = await db.Migrations.load("hub").pipe((e) => import("effect").then(({ Effect }) => Effect.runPromise(e)))
        console.log(JSON.stringify({ writer: typeof db.HubWriter.layer, products: typeof config.parseProducts, migrations: migrations.length }))`
      const result = execFileSync("node", ["--input-type=module", "-e", script], { cwd: consumer, encoding: "utf8" })
      expect(JSON.parse(result)).toEqual({ writer: "object", products: "function", migrations: fs.readdirSync("sql/hub").length })
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true })
    }
  }, 120_000)
})
