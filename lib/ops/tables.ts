/** The `ops` tables of the foundation: the migration ledger and the task ledger. */
import { Schema } from "effect"
import * as Table from "../pii/Table.ts"

const schemaMigrationsRow = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  checksum: Schema.String,
  applied_at: Schema.DateFromSelf
})

const schemaMigrations = (database: Table.DatabaseKind) =>
  Table.make({
    database,
    schema: "ops",
    name: "schema_migrations",
    description: "Migrations applied to this database, with the SHA-256 of each file.",
    row: schemaMigrationsRow,
    key: ["id"]
  })

export const taskRuns = Table.make({
  database: "hub",
  schema: "ops",
  name: "task_runs",
  description: "One row per task run: what ran, with which arguments (secrets redacted), how it ended.",
  row: Schema.Struct({
    id: Schema.NumberFromString,
    task: Schema.String,
    args: Schema.Unknown,
    status: Schema.Literal("running", "succeeded", "failed", "skipped"),
    started_at: Schema.DateFromSelf,
    finished_at: Schema.NullOr(Schema.DateFromSelf),
    rows_touched: Schema.NumberFromString,
    warnings: Schema.Unknown,
    error: Schema.NullOr(Schema.String),
    host: Schema.String,
    pid: Schema.Number
  }),
  key: ["id"]
})

export const errors = Table.make({
  database: "hub",
  schema: "ops",
  name: "errors",
  description: "Failures reported by tasks, with redacted context.",
  row: Schema.Struct({
    id: Schema.NumberFromString,
    run_id: Schema.NullOr(Schema.NumberFromString),
    task: Schema.String,
    occurred_at: Schema.DateFromSelf,
    error_tag: Schema.String,
    message: Schema.String,
    context: Schema.Unknown
  }),
  key: ["id"]
})

const piiCatalog = (database: Table.DatabaseKind) =>
  Table.make({
    database,
    schema: "ops",
    name: "pii_catalog",
    description: "Every known column and its kind of personal data (NULL: not personal), mirrored from the schemas in lib/.",
    row: Schema.Struct({
      schema_name: Schema.String,
      table_name: Schema.String,
      column_name: Schema.String,
      pii_kind: Schema.NullOr(Schema.String)
    }),
    key: ["schema_name", "table_name", "column_name"]
  })

export const backups = Table.make({
  database: "hub",
  schema: "ops",
  name: "backups",
  description: "Encrypted backups of every database: where they are stored and their manifest (row counts and checksums).",
  row: Schema.Struct({
    id: Schema.String,
    started_at: Schema.DateFromSelf,
    finished_at: Schema.NullOr(Schema.DateFromSelf),
    status: Schema.Literal("running", "succeeded", "failed", "local_only"),
    size_bytes: Schema.NullOr(Schema.NumberFromString),
    local_path: Schema.NullOr(Schema.String),
    remote_key: Schema.NullOr(Schema.String),
    manifest: Schema.Unknown,
    error: Schema.NullOr(Schema.String)
  }),
  key: ["id"]
})

export const restoreDrills = Table.make({
  database: "hub",
  schema: "ops",
  name: "restore_drills",
  description: "Restore drills: a backup restored into scratch databases and compared with its manifest; the time it took is the RTO.",
  row: Schema.Struct({
    id: Schema.NumberFromString,
    backup_id: Schema.String,
    started_at: Schema.DateFromSelf,
    finished_at: Schema.DateFromSelf,
    status: Schema.Literal("passed", "failed"),
    rto_seconds: Schema.Number,
    details: Schema.Unknown
  }),
  key: ["id"]
})

export const opsTables: ReadonlyArray<Table.AnyTable> = [
  backups,
  restoreDrills,
  schemaMigrations("hub"),
  schemaMigrations("product"),
  piiCatalog("hub"),
  piiCatalog("product"),
  taskRuns,
  errors
]
