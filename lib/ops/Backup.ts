/**
 * `npm run backup`: every database dumped by backup_ro (pg_dump -Fc) inside a
 * REPEATABLE READ snapshot, with a manifest of per-table row counts and
 * checksums taken in that same snapshot; the roles and settings pg_dump leaves
 * out (no password hashes); all of it tarred, gzipped and age-encrypted to the
 * configured recipients; written to a temporary name and renamed; uploaded to
 * S3-compatible storage; retention applied only after a successful upload.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import type { PgClient } from "@effect/sql-pg"
import { Decrypter, Encrypter } from "age-encryption"
import { Effect, Option, Redacted } from "effect"
import { execFile, spawn } from "node:child_process"
import { createReadStream, createWriteStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type { ReadableStream as WebReadableStream } from "node:stream/web"
import * as zlib from "node:zlib"
import type { ConnectionParams } from "../db/Cluster.ts"
import type { S3Settings } from "./BackupConfig.ts"
import { BackupError } from "./errors.ts"

export interface TableStats {
  readonly rows: number
  readonly checksum: string
  readonly acl: string | null
}

export interface DatabaseManifest {
  readonly name: string
  readonly dumpFile: string
  readonly dumpBytes: number
  readonly tables: Readonly<Record<string, TableStats>>
  /** Answers to representative questions, compared after restore. */
  readonly answers: Readonly<Record<string, string>>
}

export interface Manifest {
  readonly id: string
  readonly createdAt: string
  readonly finishedAt: string
  readonly server: string
  readonly tools: { readonly pg_dump: string; readonly node: string }
  readonly databases: ReadonlyArray<DatabaseManifest>
  readonly globals: Globals
}

export interface Globals {
  readonly roles: ReadonlyArray<{ name: string; login: boolean; attributes: string; connectionLimit: number }>
  readonly memberships: ReadonlyArray<{ member: string; role: string }>
  readonly settings: ReadonlyArray<{ role: string; database: string | null; settings: ReadonlyArray<string> }>
  readonly databaseAcls: ReadonlyArray<{ database: string; owner: string; acl: string | null }>
}

const fail = (reason: BackupError["reason"], message: string) => new BackupError({ reason, message })

/** Backup ids sort by time: 20261122T031500Z. */
export const backupId = (now: Date) => now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")
export const archiveName = (id: string) => `${id}.solohub-backup.tar.gz.age`

/** Per-table row counts, content checksums and ACLs, in the caller's snapshot. */
export const tableStats = (sql: PgClient.PgClient) =>
  Effect.gen(function*() {
    const tables = yield* sql<{ name: string; acl: string | null }>`
      SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
             -- An ACL equal to the owner's default restores as NULL: compare them as the same.
             CASE WHEN c.relacl IS NULL OR c.relacl = acldefault('r', c.relowner) THEN NULL ELSE c.relacl::text END AS acl
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
       ORDER BY 1`
    const stats: Record<string, TableStats> = {}
    for (const table of tables) {
      const rows = yield* sql.unsafe<{ n: string; checksum: string }>(
        `SELECT count(*)::text AS n, md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS checksum FROM ${table.name} t`
      )
      stats[table.name] = { rows: Number(rows[0]!.n), checksum: rows[0]!.checksum, acl: table.acl }
    }
    return stats
  })

/** Representative questions whose answers must survive a restore (the warehouse's, where it exists). */
export const representativeAnswers = (sql: PgClient.PgClient) =>
  Effect.gen(function*() {
    const answers: Record<string, string> = {}
    const present = yield* sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'warehouse' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`
    for (const { name } of present) {
      const q = `SELECT count(*)::text AS answer FROM warehouse.${name.replaceAll('"', '""')}`
      const rows = yield* sql.unsafe<{ answer: string }>(q)
      answers[`rows in warehouse.${name}`] = rows[0]!.answer
    }
    if (present.some((p) => p.name === "data_freshness")) {
      const rows = yield* sql<{ answer: string }>`
        SELECT coalesce(string_agg(source || '/' || property || '=' || coalesce(newest_day::text, '-'), ',' ORDER BY source, property), '') AS answer
          FROM warehouse.data_freshness`
      answers["newest day per source"] = rows[0]!.answer
    }
    return answers
  })

/** The roles, memberships, role settings and database ACLs pg_dump leaves out — without password hashes. */
export const readGlobals = (sql: PgClient.PgClient, roles: ReadonlyArray<string>, databases: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const roleRows = yield* sql<{ name: string; login: boolean; attributes: string; connection_limit: number }>`
      SELECT rolname AS name, rolcanlogin AS login, rolconnlimit AS connection_limit,
             concat_ws(' ', CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN rolcreatedb THEN 'CREATEDB' END,
               CASE WHEN rolcreaterole THEN 'CREATEROLE' END, CASE WHEN rolreplication THEN 'REPLICATION' END,
               CASE WHEN rolbypassrls THEN 'BYPASSRLS' END) AS attributes
        FROM pg_roles WHERE rolname = ANY(${roles}) ORDER BY rolname`
    const memberships = yield* sql<{ member: string; role: string }>`
      SELECT m.rolname AS member, g.rolname AS role FROM pg_auth_members am
        JOIN pg_roles m ON m.oid = am.member JOIN pg_roles g ON g.oid = am.roleid
       WHERE m.rolname = ANY(${roles}) ORDER BY 1, 2`
    const settings = yield* sql<{ role: string; database: string | null; settings: Array<string> }>`
      SELECT r.rolname AS role, d.datname AS database, s.setconfig AS settings FROM pg_db_role_setting s
        JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase
       WHERE r.rolname = ANY(${roles}) ORDER BY 1, 2`
    const acls = yield* sql<{ database: string; owner: string; acl: string | null }>`
      SELECT datname AS database, pg_get_userbyid(datdba) AS owner, datacl::text AS acl FROM pg_database WHERE datname = ANY(${databases}) ORDER BY 1`
    return {
      roles: roleRows.map((r) => ({ name: r.name, login: r.login, attributes: r.attributes, connectionLimit: r.connection_limit })),
      memberships: [...memberships],
      settings: [...settings],
      databaseAcls: [...acls]
    } satisfies Globals
  })

const pgEnv = (params: ConnectionParams) => ({
  ...process.env,
  PGHOST: params.host,
  PGPORT: String(params.port),
  PGUSER: params.user,
  PGPASSWORD: Redacted.value(params.password),
  PGDATABASE: params.database,
  PGSSLMODE: params.ssl,
  PGCONNECT_TIMEOUT: "10"
})

/** Runs a Postgres client tool with credentials in its environment (never on its command line). */
export const runTool = (tool: string, args: ReadonlyArray<string>, params: ConnectionParams, reason: BackupError["reason"]) =>
  Effect.async<string, BackupError>((resume) => {
    execFile(tool, args, { env: pgEnv(params), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resume(Effect.succeed(String(stdout)))
      else resume(Effect.fail(fail(reason, `${path.basename(tool)} failed: ${String(stderr).trim() || error.message}`)))
    })
  })

export const toolVersion = (tool: string) =>
  Effect.async<string>((resume) => {
    execFile(tool, ["--version"], (error, stdout) => resume(Effect.succeed(error === null ? String(stdout).trim() : "unknown")))
  })

/** tar + gzip + age, streamed to `target` through a temporary name. */
export const sealDirectory = (dir: string, target: string, recipients: ReadonlyArray<string>) =>
  Effect.tryPromise({
    try: async () => {
      const encrypter = new Encrypter()
      for (const r of recipients) encrypter.addRecipient(r)
      const tar = spawn("tar", ["-C", dir, "-cf", "-", "."], { stdio: ["ignore", "pipe", "pipe"] })
      const tarDone = new Promise<void>((resolve, reject) =>
        tar.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}`)))))
      const gzipped = tar.stdout.pipe(zlib.createGzip({ level: 6 }))
      const encrypted = await encrypter.encrypt(Readable.toWeb(gzipped) as unknown as ReadableStream<Uint8Array>)
      const temporary = `${target}.partial-${process.pid}`
      await Promise.all([pipeline(Readable.fromWeb(encrypted as unknown as WebReadableStream<Uint8Array>), createWriteStream(temporary, { mode: 0o600 })), tarDone])
      await fs.rename(temporary, target)
      return (await fs.stat(target)).size
    },
    catch: (e) => fail("Encrypt", `cannot write the encrypted archive ${target}: ${String(e)}`)
  })

/** age-decrypt + gunzip + untar an archive into `dir`; a wrong identity or a damaged file says so. */
export const openArchive = (archive: string, dir: string, identity: Redacted.Redacted<string>) =>
  Effect.tryPromise({
    try: async () => {
      const decrypter = new Decrypter()
      decrypter.addIdentity(Redacted.value(identity))
      const source = Readable.toWeb(createReadStream(archive)) as unknown as ReadableStream<Uint8Array>
      let plain: ReadableStream<Uint8Array>
      try {
        plain = await decrypter.decrypt(source)
      } catch (e) {
        throw new BackupError({ reason: "Decrypt", message: `cannot decrypt ${path.basename(archive)}: ${String((e as Error).message ?? e)} (wrong identity, or not a solohub backup)` })
      }
      await fs.mkdir(dir, { recursive: true })
      const tar = spawn("tar", ["-C", dir, "-xf", "-"], { stdio: ["pipe", "ignore", "pipe"] })
      let tarErr = ""
      tar.stderr.on("data", (c) => (tarErr += c))
      const tarDone = new Promise<void>((resolve, reject) =>
        tar.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tar: ${tarErr.trim() || `exit ${code}`}`)))))
      const [fed, extracted] = await Promise.allSettled([
        pipeline(Readable.fromWeb(plain as unknown as WebReadableStream<Uint8Array>), zlib.createGunzip(), tar.stdin),
        tarDone
      ])
      if (extracted.status === "rejected") throw extracted.reason
      // tar may stop reading at its end-of-archive marker before the zero padding after it: a closed pipe then is not damage.
      if (fed.status === "rejected" && !/Premature close|EPIPE/.test(String((fed.reason as Error)?.message ?? fed.reason))) throw fed.reason
    },
    catch: (e) =>
      e instanceof BackupError
        ? e
        : fail("Corrupt", `${path.basename(archive)} is damaged or truncated: ${String((e as Error).message ?? e)}`)
  })

// --- object storage ---------------------------------------------------------------

export const s3Client = (s3: S3Settings) =>
  new S3Client({
    region: s3.region,
    ...(Option.isSome(s3.endpoint) ? { endpoint: s3.endpoint.value } : {}),
    forcePathStyle: true,
    // Spaces, B2 and other S3-compatible stores reject (or store verbatim) the aws-chunked
    // trailing checksums newer SDKs send by default: send checksums only where required.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    credentials: { accessKeyId: Redacted.value(s3.accessKeyId), secretAccessKey: Redacted.value(s3.secretAccessKey) },
    maxAttempts: 3
  })

export const upload = (s3: S3Settings, file: string, key: string) =>
  Effect.tryPromise({
    try: async () => {
      const client = s3Client(s3)
      try {
        const stat = await fs.stat(file)
        await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: createReadStream(file), ContentLength: stat.size }))
      } finally {
        client.destroy()
      }
    },
    catch: (e) => fail("Upload", `upload of ${path.basename(file)} to s3://${s3.bucket}/${key} failed: ${String((e as Error).message ?? e)}`)
  })

export const download = (s3: S3Settings, key: string, file: string) =>
  Effect.tryPromise({
    try: async () => {
      const client = s3Client(s3)
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))
        const temporary = `${file}.partial-${process.pid}`
        await pipeline(object.Body as Readable, createWriteStream(temporary, { mode: 0o600 }))
        await fs.rename(temporary, file)
      } finally {
        client.destroy()
      }
    },
    catch: (e) => fail("Fetch", `cannot fetch s3://${s3.bucket}/${key}: ${String((e as Error).message ?? e)}`)
  })

export const listRemote = (s3: S3Settings) =>
  Effect.tryPromise({
    try: async () => {
      const client = s3Client(s3)
      try {
        const keys: Array<string> = []
        let token: string | undefined
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: s3.prefix, ContinuationToken: token }))
          for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key)
          token = page.IsTruncated ? page.NextContinuationToken : undefined
        } while (token !== undefined)
        return keys
      } finally {
        client.destroy()
      }
    },
    catch: (e) => fail("Fetch", `cannot list s3://${s3.bucket}/${s3.prefix}: ${String((e as Error).message ?? e)}`)
  })

export const deleteRemote = (s3: S3Settings, key: string) =>
  Effect.tryPromise({
    try: async () => {
      const client = s3Client(s3)
      try {
        await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }))
      } finally {
        client.destroy()
      }
    },
    catch: (e) => fail("Upload", `cannot delete s3://${s3.bucket}/${key}: ${String((e as Error).message ?? e)}`)
  })

// --- retention --------------------------------------------------------------------

const idDate = (id: string) => new Date(`${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`)

const isoWeek = (d: Date) => {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))
  const day = t.getUTCDay() || 7
  t.setUTCDate(t.getUTCDate() + 4 - day)
  const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1))
  return `${t.getUTCFullYear()}-W${Math.ceil(((t.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7)}`
}

/**
 * Which backups to keep: the newest of each of the last `daily` days, `weekly`
 * ISO weeks and `monthly` months (grandfather-father-son). Ids in, ids out.
 */
export const retain = (ids: ReadonlyArray<string>, keep: { daily: number; weekly: number; monthly: number }): Set<string> => {
  const sorted = [...ids].sort().reverse()
  const kept = new Set<string>()
  const bucket = (key: (d: Date) => string, n: number) => {
    const seen = new Set<string>()
    for (const id of sorted) {
      const k = key(idDate(id))
      if (seen.has(k)) continue
      if (seen.size >= n) break
      seen.add(k)
      kept.add(id)
    }
  }
  bucket((d) => d.toISOString().slice(0, 10), keep.daily)
  bucket(isoWeek, keep.weekly)
  bucket((d) => d.toISOString().slice(0, 7), keep.monthly)
  return kept
}

export const idOfArchive = (name: string) => /(\d{8}T\d{6}Z)\.solohub-backup\.tar\.gz\.age$/.exec(name)?.[1]

export const scratchDirectory = (label: string) =>
  Effect.acquireRelease(
    Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), `solohub-${label}-`))),
    (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
  )
