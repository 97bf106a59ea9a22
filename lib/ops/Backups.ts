/** Taking a backup and proving one: the two jobs behind `npm run backup` and `npm run restore-drill`. */
import { Effect, Option } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Admin, connect, HubWriter, roleParams } from "../db/Connections.ts"
import { Cluster } from "../db/Cluster.ts"
import { Layout, loginRoles, ownerRoles } from "../db/Layout.ts"
import { ident } from "../db/Quote.ts"
import {
  archiveName,
  backupId,
  deleteRemote,
  download,
  idOfArchive,
  listRemote,
  type Manifest,
  openArchive,
  readGlobals,
  representativeAnswers,
  retain,
  runTool,
  scratchDirectory,
  sealDirectory,
  tableStats,
  toolVersion,
  upload
} from "./Backup.ts"
import { backupSettings, drillIdentity } from "./BackupConfig.ts"
import { BackupError } from "./errors.ts"

const pgDump = "pg_dump"
const pgRestore = "pg_restore"

/** Dumps every database into `dir` and returns the manifest (counts and checksums from each dump's own snapshot). */
const dumpAll = (dir: string, id: string, startedAt: Date) =>
  Effect.gen(function*() {
    const layout = yield* Layout
    const databases: Array<Manifest["databases"][number]> = []
    for (const database of layout.databases) {
      const params = yield* roleParams("backup_ro", database)
      const entry = yield* Effect.scoped(Effect.gen(function*() {
        const sql = yield* connect(params, { applicationName: "solohub:backup", maxConnections: 1, credentialsHint: "SOLOHUB_BACKUP_RO_PASSWORD" })
        return yield* sql.withTransaction(Effect.gen(function*() {
          yield* sql.unsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
          const snapshot = (yield* sql<{ id: string }>`SELECT pg_export_snapshot() AS id`)[0]!.id
          const tables = yield* tableStats(sql)
          const answers = database === layout.hubDatabase ? yield* representativeAnswers(sql) : {}
          const dumpFile = `${database}.dump`
          yield* runTool(pgDump, ["--format=custom", `--snapshot=${snapshot}`, "--no-password", "--file", path.join(dir, dumpFile)], params, "Dump")
          const dumpBytes = (yield* Effect.promise(() => fs.stat(path.join(dir, dumpFile)))).size
          return { name: database, dumpFile, dumpBytes, tables, answers }
        }))
      })).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(new BackupError({ reason: "Dump", message: `${database}: ${e.message}` }))))
      databases.push(entry)
    }
    const globals = yield* Effect.scoped(Effect.gen(function*() {
      const sql = yield* connect(yield* roleParams("backup_ro", layout.hubDatabase), { applicationName: "solohub:backup", maxConnections: 1 })
      return yield* readGlobals(sql, [...loginRoles, ...ownerRoles].map(layout.role), layout.databases)
    })).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(new BackupError({ reason: "Dump", message: `globals: ${e.message}` }))))
    const cluster = yield* Cluster
    const manifest: Manifest = {
      id,
      createdAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      server: `${cluster.host}:${cluster.port}`,
      tools: { pg_dump: yield* toolVersion(pgDump), node: process.version },
      databases,
      globals
    }
    yield* Effect.promise(() => fs.writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2)))
    return manifest
  })

/** Applies retention to the local directory and, when configured, the bucket. Returns what was deleted. */
const applyRetention = (settings: Effect.Effect.Success<typeof backupSettings>) =>
  Effect.gen(function*() {
    const deleted: Array<string> = []
    const local = (yield* Effect.promise(() => fs.readdir(settings.directory))).filter((f) => idOfArchive(f) !== undefined)
    const keepLocal = retain(local.map((f) => idOfArchive(f)!), settings.keep)
    for (const file of local) {
      if (keepLocal.has(idOfArchive(file)!)) continue
      yield* Effect.promise(() => fs.rm(path.join(settings.directory, file), { force: true }))
      deleted.push(file)
    }
    if (Option.isSome(settings.s3)) {
      const keys = (yield* listRemote(settings.s3.value)).filter((k) => idOfArchive(k) !== undefined)
      const keepRemote = retain(keys.map((k) => idOfArchive(k)!), settings.keep)
      for (const key of keys) {
        if (keepRemote.has(idOfArchive(key)!)) continue
        yield* deleteRemote(settings.s3.value, key)
        deleted.push(`s3://${settings.s3.value.bucket}/${key}`)
      }
    }
    return deleted
  })

export interface BackupResult {
  readonly id: string
  readonly file: string
  readonly bytes: number
  readonly remoteKey: string | null
  readonly deleted: ReadonlyArray<string>
  readonly manifest: Manifest
}

/** Takes a backup of every database, stores it locally and remotely, then applies retention. */
export const runBackup = (now = new Date()) =>
  Effect.gen(function*() {
    const settings = yield* backupSettings
    const ledger = yield* HubWriter
    const id = backupId(now)
    yield* ledger`INSERT INTO ops.backups (id, started_at, status) VALUES (${id}, ${now}, 'running')`
    const outcome = yield* Effect.scoped(Effect.gen(function*() {
      const dir = yield* scratchDirectory("backup")
      const manifest = yield* dumpAll(dir, id, now)
      yield* Effect.promise(() => fs.mkdir(settings.directory, { recursive: true, mode: 0o700 }))
      const file = path.join(settings.directory, archiveName(id))
      const bytes = yield* sealDirectory(dir, file, settings.recipients)
      return { manifest, file, bytes }
    })).pipe(Effect.tapError((e) => ledger`UPDATE ops.backups SET status = 'failed', finished_at = now(), error = ${e.message} WHERE id = ${id}`.pipe(Effect.ignore)))
    const { manifest, file, bytes } = outcome
    let remoteKey: string | null = null
    if (Option.isSome(settings.s3)) {
      const key = `${settings.s3.value.prefix}${archiveName(id)}`
      const uploaded = yield* Effect.either(upload(settings.s3.value, file, key))
      if (uploaded._tag === "Left") {
        // Keep the local copy, skip retention, and say so.
        yield* ledger`UPDATE ops.backups SET status = 'local_only', finished_at = now(), size_bytes = ${bytes}, local_path = ${file},
                      manifest = ${JSON.stringify(manifest)}::jsonb, error = ${uploaded.left.message} WHERE id = ${id}`
        return yield* uploaded.left
      }
      remoteKey = key
    }
    const deleted = yield* applyRetention(settings)
    yield* ledger`UPDATE ops.backups SET status = 'succeeded', finished_at = now(), size_bytes = ${bytes}, local_path = ${file},
                  remote_key = ${remoteKey}, manifest = ${JSON.stringify(manifest)}::jsonb WHERE id = ${id}`
    return { id, file, bytes, remoteKey, deleted, manifest } satisfies BackupResult
  })

export interface DrillResult {
  readonly backupId: string
  readonly passed: boolean
  readonly rtoSeconds: number
  readonly mismatches: ReadonlyArray<string>
  readonly tablesChecked: number
}

/** Finds the archive of a backup (or the newest): locally, or downloaded from the bucket into `dir`. */
const fetchArchive = (wanted: Option.Option<string>, dir: string) =>
  Effect.gen(function*() {
    const settings = yield* backupSettings
    const local = yield* Effect.promise(() => fs.readdir(settings.directory).catch(() => [] as Array<string>))
    const remote = Option.isSome(settings.s3) ? yield* listRemote(settings.s3.value) : []
    const ids = [...new Set([...local, ...remote].map((n) => idOfArchive(n)).filter((i): i is string => i !== undefined))].sort()
    const id = Option.getOrElse(wanted, () => ids[ids.length - 1] ?? "")
    if (id === "" || !ids.includes(id)) {
      return yield* new BackupError({
        reason: "Fetch",
        message: id === "" ? `no backup found in ${settings.directory}${Option.isSome(settings.s3) ? " or the bucket" : ""}` : `backup ${id} not found`
      })
    }
    const localFile = local.find((n) => idOfArchive(n) === id)
    if (localFile !== undefined) return { id, file: path.join(settings.directory, localFile) }
    const key = remote.find((k) => idOfArchive(k) === id)!
    const file = path.join(dir, archiveName(id))
    yield* download(Option.getOrThrow(settings.s3), key, file)
    return { id, file }
  })

const scratchName = (prefix: string, id: string, index: number) => `${prefix}drill_${id.toLowerCase()}_${index}`.slice(0, 63)

/**
 * Restores a backup into scratch databases and proves it: every table's row
 * count, checksum and grants equal the manifest, the roles exist, the
 * representative answers match. Records the result and the RTO.
 */
export const runDrill = (options: { readonly backup: Option.Option<string>; readonly identityFile: Option.Option<string> }) =>
  Effect.gen(function*() {
    const started = new Date()
    const layout = yield* Layout
    const admin = yield* Admin
    const ledger = yield* HubWriter
    const identity = yield* drillIdentity(options.identityFile)
    const result = yield* Effect.scoped(Effect.gen(function*() {
      const dir = yield* scratchDirectory("drill")
      const { id, file } = yield* fetchArchive(options.backup, dir)
      const opened = path.join(dir, "opened")
      yield* openArchive(file, opened, identity)
      const manifest = yield* Effect.tryPromise({
        try: async () => JSON.parse(await fs.readFile(path.join(opened, "manifest.json"), "utf8")) as Manifest,
        catch: () => new BackupError({ reason: "Corrupt", message: `backup ${id} has no readable manifest.json` })
      })
      const mismatches: Array<string> = []
      let tablesChecked = 0
      const prefix = layout.namespace === "" ? "" : `${layout.namespace}_`
      for (const [index, database] of manifest.databases.entries()) {
        const scratch = scratchName(prefix, id, index)
        if (layout.databases.includes(scratch)) return yield* new BackupError({ reason: "Restore", message: `refusing to restore over ${scratch}` })
        yield* admin.client.unsafe(`DROP DATABASE IF EXISTS ${ident(scratch)}`)
        yield* admin.client.unsafe(`CREATE DATABASE ${ident(scratch)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`)
        yield* Effect.addFinalizer(() => admin.client.unsafe(`DROP DATABASE IF EXISTS ${ident(scratch)} WITH (FORCE)`).pipe(Effect.ignore))
        const dump = path.join(opened, database.dumpFile)
        const size = yield* Effect.promise(() => fs.stat(dump).then((s) => s.size, () => -1))
        if (size !== database.dumpBytes) {
          return yield* new BackupError({ reason: "Corrupt", message: `${database.dumpFile} is ${size < 0 ? "missing" : `${size} bytes, the manifest says ${database.dumpBytes}`}` })
        }
        yield* runTool(pgRestore, ["--exit-on-error", "--no-password", "--dbname", scratch, dump], { ...admin.params, database: scratch }, "Restore")
        const restored = yield* Effect.scoped(Effect.flatMap(admin.connect(scratch), (sql) =>
          Effect.all([tableStats(sql), representativeAnswers(sql)])))
        const [tables, answers] = restored
        for (const [table, expected] of Object.entries(database.tables)) {
          tablesChecked++
          const got = tables[table]
          if (got === undefined) mismatches.push(`${database.name}: ${table} is missing after restore`)
          else {
            if (got.rows !== expected.rows) mismatches.push(`${database.name}: ${table} has ${got.rows} rows, the manifest says ${expected.rows}`)
            if (got.checksum !== expected.checksum) mismatches.push(`${database.name}: ${table}'s content checksum differs from the manifest`)
            if (got.acl !== expected.acl) mismatches.push(`${database.name}: ${table}'s grants differ (${got.acl} vs ${expected.acl})`)
          }
        }
        for (const [question, answer] of Object.entries(database.answers)) {
          if (answers[question] !== answer) mismatches.push(`${database.name}: "${question}" answers ${answers[question]}, the backup said ${answer}`)
        }
      }
      const roles = yield* admin.client<{ name: string }>`SELECT rolname AS name FROM pg_roles WHERE rolname = ANY(${manifest.globals.roles.map((r) => r.name)})`
      for (const role of manifest.globals.roles) {
        if (!roles.some((r) => r.name === role.name)) mismatches.push(`role ${role.name} does not exist on this server`)
      }
      return { backupId: id, mismatches, tablesChecked }
    })).pipe(
      Effect.catchTag("SqlError", (e) => Effect.fail(new BackupError({ reason: "Restore", message: e.message })))
    )
    const finished = new Date()
    const rtoSeconds = (finished.getTime() - started.getTime()) / 1000
    const passed = result.mismatches.length === 0 && result.tablesChecked > 0
    yield* ledger`
      INSERT INTO ops.restore_drills (backup_id, started_at, finished_at, status, rto_seconds, details)
      VALUES (${result.backupId}, ${started}, ${finished}, ${passed ? "passed" : "failed"}, ${rtoSeconds},
              ${JSON.stringify({ tablesChecked: result.tablesChecked, mismatches: result.mismatches.slice(0, 50) })}::jsonb)`
    if (!passed) {
      return yield* new BackupError({
        reason: "Mismatch",
        message: `restore drill of ${result.backupId} FAILED: ${result.tablesChecked === 0 ? "no table to check" : result.mismatches.slice(0, 5).join("; ")}`
      })
    }
    return { ...result, passed, rtoSeconds } satisfies DrillResult
  })

/** Records a failed drill (a drill that could not even restore) so status sees it. */
export const recordFailedDrill = (backup: string, started: Date, message: string) =>
  Effect.flatMap(HubWriter, (ledger) =>
    ledger`INSERT INTO ops.restore_drills (backup_id, started_at, finished_at, status, rto_seconds, details)
           VALUES (${backup}, ${started}, now(), 'failed', extract(epoch FROM now() - ${started}::timestamptz), ${JSON.stringify({ error: message })}::jsonb)`)
