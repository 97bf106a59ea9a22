import { afterAll } from "vitest"
import { describe, expect, it, layer } from "@effect/vitest"
import { generateIdentity, identityToRecipient } from "age-encryption"
import { Effect, Exit, Layer, Option, Redacted } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { HubWriter } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { archiveName, openArchive, retain, sealDirectory } from "../../lib/ops/Backup.ts"
import { runBackup, runDrill } from "../../lib/ops/Backups.ts"
import { requireRestoreDrill } from "../../lib/ops/Gate.ts"
import { statusReport } from "../../lib/ops/Status.ts"
import { layerFor, makeTestEnv } from "../support/TestEnv.ts"
import { startLocalS3 } from "../support/servers/s3.ts"
import { WarehouseWriter } from "../../lib/db/Connections.ts"

const identity = await generateIdentity()
const recipient = await identityToRecipient(identity)
const s3 = await startLocalS3()
const backupDir = await fs.mkdtemp(path.join(os.tmpdir(), "solohub-backups-"))
const env = makeTestEnv({
  SOLOHUB_BACKUP_AGE_RECIPIENTS: recipient,
  SOLOHUB_BACKUP_AGE_IDENTITY: identity,
  SOLOHUB_BACKUP_DIR: backupDir,
  SOLOHUB_S3_ENDPOINT: s3.endpoint,
  SOLOHUB_S3_BUCKET: s3.bucket,
  SOLOHUB_S3_ACCESS_KEY_ID: "S3RVER",
  SOLOHUB_S3_SECRET_ACCESS_KEY: "S3RVER"
})
const roles = Layer.merge(HubWriter.layer, WarehouseWriter.layer)
const provisioned = roles.pipe(Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer))))
const drill = (backup?: string) => runDrill({ backup: Option.fromNullable(backup), identityFile: Option.none() })
const status = Effect.flatMap(WarehouseWriter, (sql) => statusReport(sql, { backupHours: 26, drillDays: 8, sourceDays: 4 }))

layer(provisioned, { timeout: 120_000, excludeTestServices: true })("backups and the restore drill", (it) => {
  it.effect("before any drill the gate is closed, status says so, and an explicit override opens it with a warning", () =>
    Effect.gen(function*() {
      const closed = yield* Effect.exit(requireRestoreDrill({ allowUndrilled: false }))
      expect(Exit.isFailure(closed) && String(closed)).toContain("no restore drill has passed")
      expect(yield* requireRestoreDrill({ allowUndrilled: true })).toBeNull()
      const report = yield* status
      expect(report.ok).toBe(false)
      expect(report.problems).toContain("no backup has succeeded yet")
      expect(report.problems).toContain("no restore drill has run yet")
    }))

  it.effect("a backup is encrypted, stored locally and in the bucket; a drill from the bucket alone proves it and opens the gate", () =>
    Effect.gen(function*() {
      const sql = yield* HubWriter
      yield* sql`INSERT INTO ops.errors (task, error_tag, message) VALUES ('test', 'Sample', 'a row to back up')`
      const result = yield* runBackup()
      expect(result.remoteKey).toBe(`solohub/${archiveName(result.id)}`)
      const bytes = yield* Effect.promise(() => fs.readFile(result.file))
      expect(bytes.subarray(0, 21).toString()).toBe("age-encryption.org/v1")
      expect(bytes.includes(Buffer.from("a row to back up"))).toBe(false)
      const hub = result.manifest.databases[0]!
      expect(hub.tables["ops.errors"]).toMatchObject({ rows: 1 })
      expect(result.manifest.globals.roles.some((r) => r.name.endsWith("_mcp_ro"))).toBe(true)
      expect(JSON.stringify(result.manifest.globals)).not.toMatch(/SCRAM-SHA-256/)
      // Only the bucket has it now: the drill fetches it from there.
      yield* Effect.promise(() => fs.rm(result.file))
      const proven = yield* drill()
      expect(proven).toMatchObject({ backupId: result.id, passed: true, mismatches: [] })
      expect(proven.tablesChecked).toBeGreaterThan(5)
      const drills = yield* sql<{ status: string; rto_seconds: number }>`SELECT status, rto_seconds FROM ops.restore_drills`
      expect(drills).toHaveLength(1)
      expect(drills[0]!.status).toBe("passed")
      expect(yield* requireRestoreDrill({ allowUndrilled: false })).toBeInstanceOf(Date)
      // No scratch database is left behind.
      const left = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM pg_database WHERE datname LIKE ${`${env.namespace}_drill_%`}`
      expect(left[0]!.n).toBe("0")
      const report = yield* status
      expect(report.lastBackup?.status).toBe("succeeded")
      expect(report.lastDrill?.status).toBe("passed")
      expect(report.problems.filter((p) => p.includes("backup") || p.includes("drill"))).toEqual([])
      // The same backup and drill, judged an hour later with tighter limits, are stale.
      const later = yield* Effect.flatMap(WarehouseWriter, (w) =>
        statusReport(w, { backupHours: 0.5, drillDays: 0.02, sourceDays: 4 }, new Date(Date.now() + 3_600_000)))
      expect(later.ok).toBe(false)
      expect(later.problems.some((p) => p.startsWith("the last successful backup is 1 hours old"))).toBe(true)
      expect(later.problems.some((p) => p.startsWith("the last restore drill is"))).toBe(true)
    }))

  it.effect("a tampered or truncated backup fails the drill with a clear message", () =>
    Effect.gen(function*() {
      const { id, file } = yield* runBackup(new Date(Date.now() + 1000))
      const bytes = yield* Effect.promise(() => fs.readFile(file))
      const flipped = Buffer.from(bytes)
      flipped[flipped.length - 100] = flipped[flipped.length - 100]! ^ 0xff
      yield* Effect.promise(() => fs.writeFile(file, flipped))
      const tampered = yield* Effect.exit(drill(id))
      expect(Exit.isFailure(tampered)).toBe(true)
      expect(String(tampered)).toMatch(/cannot decrypt|damaged or truncated/)
      yield* Effect.promise(() => fs.writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2))))
      const truncated = yield* Effect.exit(drill(id))
      expect(String(truncated)).toMatch(/cannot decrypt|damaged or truncated/)
    }))

  it.effect("a wrong decryption identity says so", () =>
    Effect.gen(function*() {
      const other = yield* Effect.promise(() => generateIdentity())
      const file = path.join(backupDir, "other-identity.txt")
      yield* Effect.promise(() => fs.writeFile(file, `# created: test\n${other}\n`))
      const exit = yield* Effect.exit(runDrill({ backup: Option.none(), identityFile: Option.some(file) }))
      expect(String(exit)).toContain("wrong identity")
    }))

  it.effect("a manifest that disagrees with the restored data fails the drill, naming the table", () =>
    Effect.scoped(Effect.gen(function*() {
      const { id, file } = yield* runBackup(new Date(Date.now() + 2000))
      const dir = yield* Effect.acquireRelease(Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "solohub-t-"))), (d) => Effect.promise(() => fs.rm(d, { recursive: true, force: true })))
      yield* openArchive(file, dir, Redacted.make(identity))
      const manifest = JSON.parse(yield* Effect.promise(() => fs.readFile(path.join(dir, "manifest.json"), "utf8")))
      manifest.databases[0].tables["ops.errors"].rows += 1
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest)))
      yield* sealDirectory(dir, file, [recipient])
      const exit = yield* Effect.exit(drill(id))
      expect(String(exit)).toContain("ops.errors has 1 rows, the manifest says 2")
      const sql = yield* HubWriter
      const last = yield* sql<{ status: string }>`SELECT status FROM ops.restore_drills ORDER BY id DESC LIMIT 1`
      expect(last[0]!.status).toBe("failed")
    })))

  it.effect("a failed upload keeps the local copy, marks the backup local-only and applies no retention", () =>
    Effect.gen(function*() {
      const old = path.join(backupDir, archiveName("20200101T000000Z"))
      yield* Effect.promise(() => fs.writeFile(old, "an old backup retention would delete"))
      const unreachable = layerFor({ ...env.env, SOLOHUB_S3_ENDPOINT: "http://127.0.0.1:1" })
      const exit = yield* Effect.exit(runBackup(new Date(Date.now() + 3000)).pipe(
        Effect.provide(Layer.merge(unreachable, HubWriter.layer.pipe(Layer.provide(unreachable))))
      ))
      expect(String(exit)).toContain("upload of")
      const sql = yield* HubWriter
      const last = yield* sql<{ status: string; local_path: string }>`SELECT status, local_path FROM ops.backups ORDER BY started_at DESC LIMIT 1`
      expect(last[0]!.status).toBe("local_only")
      yield* Effect.promise(() => fs.access(last[0]!.local_path))
      yield* Effect.promise(() => fs.access(old))
      expect((yield* status).problems).toContain(`the last backup ${path.basename(last[0]!.local_path).slice(0, 16)} ended local_only`)
    }))
})

afterAll(async () => {
  await s3.close()
  await fs.rm(backupDir, { recursive: true, force: true })
})

describe("retention", () => {
  it("keeps the newest backup of each of the last 7 days, 4 weeks and 6 months", () => {
    const ids: Array<string> = []
    for (let d = 0; d < 400; d++) {
      const date = new Date(Date.UTC(2026, 10, 22) - d * 86_400_000)
      for (const hour of ["03", "15"]) ids.push(`${date.toISOString().slice(0, 10).replaceAll("-", "")}T${hour}0000Z`)
    }
    const kept = [...retain(ids, { daily: 7, weekly: 4, monthly: 6 })].sort()
    expect(kept).toContain("20261122T150000Z")
    expect(kept).not.toContain("20261122T030000Z")
    expect(kept.filter((id) => id >= "20261116")).toHaveLength(7)
    expect(kept.length).toBeLessThanOrEqual(17)
    expect(kept.some((id) => id.startsWith("202606"))).toBe(true)
    expect(kept.some((id) => id < "20260501")).toBe(false)
  })
})
