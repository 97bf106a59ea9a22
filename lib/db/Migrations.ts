/**
 * Schema migrations from `sql/<kind>/NNNN_name.sql`, applied in order inside
 * the caller's transaction and recorded in `ops.schema_migrations` with a
 * SHA-256 of the file. An applied migration whose file changed (or vanished)
 * is an error that names it.
 *
 * Not @effect/sql's Migrator: it records no checksum and loads only .js/.ts.
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { ProvisionError } from "./errors.ts"

export interface Migration {
  readonly id: number
  readonly name: string
  readonly file: string
  readonly sql: string
  readonly checksum: string
}

/** Which migration folder a database uses. */
export type MigrationSet = "hub" | "product"

// lib/db/ from source, dist/lib/db/ from the published package: the sql/ folder sits at the package root.
const sqlRoot = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const candidates = [path.resolve(here, "..", "..", "sql"), path.resolve(here, "..", "..", "..", "sql")]
  return candidates.find((dir) => existsSync(path.join(dir, "hub"))) ?? candidates[0]!
})()

const filePattern = /^(\d{4})_([a-z0-9_]+)\.sql$/

/** Reads a migration folder, sorted by number. */
export const load = (set: MigrationSet, root = sqlRoot): Effect.Effect<ReadonlyArray<Migration>, ProvisionError> =>
  Effect.tryPromise({
    try: async () => {
      const dir = path.join(root, set)
      const files = (await fs.readdir(dir)).filter((f) => f.endsWith(".sql")).sort()
      const migrations: Array<Migration> = []
      for (const file of files) {
        const match = filePattern.exec(file)
        if (match === null) throw new Error(`${path.join(dir, file)}: name must be NNNN_name.sql`)
        const sql = await fs.readFile(path.join(dir, file), "utf8")
        const id = Number(match[1])
        if (migrations.some((m) => m.id === id)) throw new Error(`${dir}: two migrations numbered ${match[1]}`)
        migrations.push({ id, name: match[2]!, file: `sql/${set}/${file}`, sql, checksum: createHash("sha256").update(sql).digest("hex") })
      }
      return migrations
    },
    catch: (cause) =>
      new ProvisionError({ reason: "MigrationFailed", database: set, message: `cannot read migrations: ${String(cause)}` })
  })

/** The bootstrap every database gets before its migrations. */
export const ledgerDdl = `
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.schema_migrations (
  id integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.schema_migrations IS 'Migrations applied to this database, with the SHA-256 of each file.';
`

/**
 * Applies pending migrations with `sql`, which must already be inside a
 * transaction running as the database's owner role. Returns the files applied.
 */
export const apply = (
  sql: SqlClient.SqlClient,
  database: string,
  migrations: ReadonlyArray<Migration>
): Effect.Effect<ReadonlyArray<string>, ProvisionError> =>
  Effect.gen(function*() {
    const failed = (message: string) => new ProvisionError({ reason: "MigrationFailed", database, message })
    yield* sql.unsafe(ledgerDdl).pipe(Effect.mapError((e) => failed(`cannot create ops.schema_migrations: ${e.message}`)))
    yield* sql`SELECT pg_advisory_xact_lock(hashtext('solohub:migrations'))`.pipe(Effect.mapError((e) => failed(e.message)))
    const applied = yield* sql<{ id: number; name: string; checksum: string }>`
      SELECT id, name, checksum FROM ops.schema_migrations ORDER BY id`.pipe(Effect.mapError((e) => failed(e.message)))
    for (const row of applied) {
      const file = migrations.find((m) => m.id === row.id)
      if (file === undefined) {
        return yield* new ProvisionError({
          reason: "MigrationMissing",
          database,
          message: `migration ${String(row.id).padStart(4, "0")}_${row.name} is applied in ${database} but its file is gone`
        })
      }
      if (file.checksum !== row.checksum) {
        return yield* new ProvisionError({
          reason: "MigrationChanged",
          database,
          message: `${file.file} was changed after it was applied to ${database} (checksum ${row.checksum.slice(0, 12)}… now ${file.checksum.slice(0, 12)}…); ` +
            "write a new migration instead of editing an applied one"
        })
      }
    }
    const done: Array<string> = []
    for (const migration of migrations) {
      if (applied.some((row) => row.id === migration.id)) continue
      yield* sql.unsafe(migration.sql).pipe(Effect.mapError((e) => failed(`${migration.file}: ${String((e.cause as Error | undefined)?.message ?? e.message)}`)))
      yield* sql`INSERT INTO ops.schema_migrations (id, name, checksum) VALUES (${migration.id}, ${migration.name}, ${migration.checksum})`
        .pipe(Effect.mapError((e) => failed(e.message)))
      done.push(migration.file)
    }
    return done
  })
