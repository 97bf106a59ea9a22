/**
 * CSV imports of the founder's own records (docs/imports.md). A file is
 * validated row by row with Effect Schema, and nothing of it is loaded until
 * every row is valid: the error lists each bad row with its line number and
 * reason. A valid file is upserted by natural key in one transaction and
 * logged by its content hash, so importing the same file again is a no-op.
 */
import type { SqlError } from "@effect/sql/SqlError"
import type { PgClient } from "@effect/sql-pg"
import { Effect, Either, ParseResult, Schema } from "effect"
import { createHash } from "node:crypto"
import { upsertRows } from "../sync/Bulk.ts"
import { type CsvRecord, CsvSyntaxError, parseCsv } from "./Csv.ts"
import { clients, deals, entries, invoices } from "./tables.ts"

export class ImportError extends Schema.TaggedError<ImportError>("solohub/ImportError")("ImportError", {
  file: Schema.String,
  problems: Schema.Array(Schema.String),
  message: Schema.String
}) {}

const Text = Schema.String.pipe(Schema.maxLength(500))
const Required = Schema.Trim.pipe(Schema.minLength(1, { message: () => "required" }), Schema.maxLength(500))
const Optional = Schema.transform(Schema.String, Schema.NullOr(Text), {
  strict: true,
  decode: (s) => (s.trim() === "" ? null : s.trim()),
  encode: (s) => s ?? ""
})
const IsoDay = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "a date as YYYY-MM-DD" }), Schema.filter((s) => {
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s) ? true : "not a calendar date"
}))
const OptionalDay = Schema.Union(Schema.Literal("").pipe(Schema.transform(Schema.Null, { strict: true, decode: () => null, encode: () => "" as const })), IsoDay)
/** "1234.5" or "1234.50" (or "-12") → cents. */
const Money = Schema.String.pipe(
  Schema.pattern(/^-?\d{1,12}(\.\d{1,2})?$/, { message: () => "an amount like 1234.50 (a dot, at most two decimals)" }),
  Schema.transform(Schema.Number, { strict: true, decode: (s) => Math.round(Number(s) * 100), encode: (n) => (n / 100).toFixed(2) })
)
const Currency = Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/, { message: () => "an ISO 4217 code such as EUR" }))
const Email = Schema.transform(Schema.String, Schema.NullOr(Schema.String), { strict: true, decode: (s) => (s.trim() === "" ? null : s.trim()), encode: (s) => s ?? "" })
  .pipe(Schema.filter((s) => s === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) || "an email address"))

/** A closed set of values, with one message naming them all. */
const oneOf = <const L extends ReadonlyArray<string>>(...values: L) =>
  Schema.String.pipe(Schema.filter((s): s is L[number] => values.includes(s), {
    message: (issue) => `one of ${values.join(", ")} (got ${JSON.stringify(issue.actual)})`
  }))

/** One kind of file: its header, its row schema, and how rows become table columns. */
interface FileKind<Row> {
  readonly name: string
  readonly header: ReadonlyArray<string>
  // Decoded from a record of strings (the encoded side differs per field, so it is left open).
  // deno-lint-ignore no-explicit-any
  readonly row: Schema.Schema<Row, any>
  readonly table: { readonly qualified: string; readonly key: ReadonlyArray<string> }
  readonly columns: (rows: ReadonlyArray<Row>, importedAt: string) => ReadonlyArray<{ name: string; values: ReadonlyArray<unknown> }>
  /** Checks against what is already in the database (references), by line. */
  readonly references?: (sql: PgClient.PgClient, rows: ReadonlyArray<{ line: number; row: Row }>) => Effect.Effect<Array<string>, SqlError>
}

const kind = <Row>(k: FileKind<Row>) => k

const ClientRow = Schema.Struct({ client_id: Required, name: Required, email: Email, company: Optional, country: Optional, source_channel: Optional, created_on: OptionalDay, notes: Optional })
const DealRow = Schema.Struct({
  deal_id: Required, client_id: Required, title: Required, stage: oneOf("lead", "proposal", "won", "lost"), value: Money, currency: Currency,
  source_channel: Optional, opened_on: IsoDay, closed_on: OptionalDay
})
const InvoiceRow = Schema.Struct({
  invoice_number: Required, client_id: Required, deal_id: Optional, issued_on: IsoDay, due_on: OptionalDay, paid_on: OptionalDay, amount: Money,
  currency: Currency, status: oneOf("draft", "sent", "paid", "overdue", "void")
})
const EntryRow = Schema.Struct({
  month: Schema.String.pipe(Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])$/, { message: () => "a month as YYYY-MM" })),
  kind: oneOf("income", "cost"), category: Required, amount: Money, currency: Currency, note: Optional
})

/** Which ids already exist, so references can be checked before anything is written. */
const existing = (sql: PgClient.PgClient, table: string, column: string, ids: ReadonlyArray<string>) =>
  Effect.map(sql.unsafe<{ id: string }>(`SELECT ${column} AS id FROM ${table} WHERE ${column} = ANY($1::text[])`, [ids]), (rows) => new Set(rows.map((r) => r.id)))

export const fileKinds = {
  clients: kind({
    name: "clients", header: ["client_id", "name", "email", "company", "country", "source_channel", "created_on", "notes"], row: ClientRow, table: clients,
    columns: (rows, at) => [
      ...(["client_id", "name", "email", "company", "country", "source_channel", "created_on", "notes"] as const).map((name) => ({ name, values: rows.map((r) => r[name]) })),
      { name: "imported_at", values: rows.map(() => at) }
    ]
  }),
  deals: kind({
    name: "deals", header: ["deal_id", "client_id", "title", "stage", "value", "currency", "source_channel", "opened_on", "closed_on"], row: DealRow, table: deals,
    columns: (rows, at) => [
      ...(["deal_id", "client_id", "title", "stage", "currency", "source_channel", "opened_on", "closed_on"] as const).map((name) => ({ name, values: rows.map((r) => r[name]) })),
      { name: "value_cents", values: rows.map((r) => r.value) },
      { name: "imported_at", values: rows.map(() => at) }
    ],
    references: (sql, rows) => Effect.map(existing(sql, "crm.clients", "client_id", rows.map((r) => r.row.client_id)), (known) =>
      rows.filter((r) => !known.has(r.row.client_id)).map((r) => `line ${r.line}: client_id ${r.row.client_id} is not a known client (import the clients file first)`))
  }),
  invoices: kind({
    name: "invoices", header: ["invoice_number", "client_id", "deal_id", "issued_on", "due_on", "paid_on", "amount", "currency", "status"], row: InvoiceRow, table: invoices,
    columns: (rows, at) => [
      ...(["invoice_number", "client_id", "deal_id", "issued_on", "due_on", "paid_on", "currency", "status"] as const).map((name) => ({ name, values: rows.map((r) => r[name]) })),
      { name: "amount_cents", values: rows.map((r) => r.amount) },
      { name: "imported_at", values: rows.map(() => at) }
    ],
    references: (sql, rows) => Effect.gen(function*() {
      const knownClients = yield* existing(sql, "crm.clients", "client_id", rows.map((r) => r.row.client_id))
      const knownDeals = yield* existing(sql, "crm.deals", "deal_id", rows.flatMap((r) => (r.row.deal_id === null ? [] : [r.row.deal_id])))
      return rows.flatMap((r) => [
        ...(knownClients.has(r.row.client_id) ? [] : [`line ${r.line}: client_id ${r.row.client_id} is not a known client (import the clients file first)`]),
        ...(r.row.deal_id === null || knownDeals.has(r.row.deal_id) ? [] : [`line ${r.line}: deal_id ${r.row.deal_id} is not a known deal (import the deals file first)`])
      ])
    })
  }),
  finance: kind({
    name: "finance", header: ["month", "kind", "category", "amount", "currency", "note"], row: EntryRow, table: entries,
    columns: (rows, at) => [
      { name: "month", values: rows.map((r) => `${r.month}-01`) },
      ...(["kind", "category", "currency", "note"] as const).map((name) => ({ name, values: rows.map((r) => r[name]) })),
      { name: "amount_cents", values: rows.map((r) => r.amount) },
      { name: "imported_at", values: rows.map(() => at) }
    ]
  })
}

/** The file kinds each `npm run import` kind accepts, told apart by their header. */
export const importKinds = { crm: [fileKinds.clients, fileKinds.deals, fileKinds.invoices], finance: [fileKinds.finance] } as const
export type ImportKind = keyof typeof importKinds

export interface ImportOutcome {
  readonly file: string
  readonly kind: string
  readonly rows: number
  readonly alreadyImported: boolean
}

const describeHeaders = (kinds: ReadonlyArray<FileKind<unknown>>) => kinds.map((k) => `${k.name}: ${k.header.join(",")}`).join("; ")

export const importFile = (sql: PgClient.PgClient, importKind: ImportKind, fileName: string, content: string) =>
  Effect.gen(function*() {
    const fail = (problems: ReadonlyArray<string>) =>
      new ImportError({ file: fileName, problems, message: `${fileName}: nothing imported — ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  ${p}`).join("\n")}` })
    const parsed = Either.try({ try: () => parseCsv(content), catch: (e) => (e instanceof CsvSyntaxError ? e.message : String(e)) })
    if (Either.isLeft(parsed)) return yield* fail([parsed.left])
    const [headerRecord, ...records] = parsed.right
    if (headerRecord === undefined) return yield* fail(["the file is empty (a header line is expected)"])
    const header = headerRecord.fields.map((h) => h.trim().toLowerCase())
    const candidates = importKinds[importKind] as ReadonlyArray<FileKind<unknown>>
    const fileKind = candidates.find((k) => k.header.length === header.length && k.header.every((h, i) => header[i] === h))
    if (fileKind === undefined) return yield* fail([`line 1: unknown header "${header.join(",")}"; expected one of — ${describeHeaders(candidates)}`])

    const problems: Array<string> = []
    const rows: Array<{ line: number; row: unknown }> = []
    for (const record of records as ReadonlyArray<CsvRecord>) {
      if (record.fields.length !== header.length) {
        problems.push(`line ${record.line}: ${record.fields.length} fields, the header has ${header.length}`)
        continue
      }
      const input = Object.fromEntries(header.map((h, i) => [h, record.fields[i]!]))
      const decoded = Schema.decodeUnknownEither(fileKind.row)(input, { errors: "all" })
      if (Either.isLeft(decoded)) {
        for (const issue of ParseResult.ArrayFormatter.formatErrorSync(decoded.left)) {
          problems.push(`line ${record.line}: ${issue.path.join(".") || "row"}: ${issue.message}`)
        }
      } else rows.push({ line: record.line, row: decoded.right })
    }
    const keys = new Map<string, number>()
    for (const { line, row } of rows) {
      const key = fileKind.table.key.map((k) => String((row as Record<string, unknown>)[k])).join("|")
      const first = keys.get(key)
      if (first !== undefined) problems.push(`line ${line}: the same ${fileKind.table.key.join(", ")} as line ${first}`)
      else keys.set(key, line)
    }
    if (problems.length === 0 && fileKind.references !== undefined) problems.push(...(yield* fileKind.references(sql, rows)))
    const lineOf = (problem: string) => Number(/^line (\d+)/.exec(problem)?.[1] ?? 0)
    if (problems.length > 0) return yield* fail(problems.sort((a, b) => lineOf(a) - lineOf(b)))

    const sha256 = createHash("sha256").update(content).digest("hex")
    const kindName = `${importKind}:${fileKind.name}`
    return yield* sql.withTransaction(Effect.gen(function*() {
      const seen = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ops.imports WHERE kind = ${kindName} AND sha256 = ${sha256}`
      if ((seen[0]?.n ?? 0) > 0) return { file: fileName, kind: kindName, rows: 0, alreadyImported: true } satisfies ImportOutcome
      const importedAt = new Date().toISOString()
      yield* upsertRows(sql, fileKind.table.qualified, fileKind.table.key, fileKind.columns(rows.map((r) => r.row), importedAt))
      yield* sql`INSERT INTO ops.imports (kind, sha256, file_name, rows, imported_at) VALUES (${kindName}, ${sha256}, ${fileName}, ${rows.length}, ${importedAt}::timestamptz)`
      return { file: fileName, kind: kindName, rows: rows.length, alreadyImported: false } satisfies ImportOutcome
    }))
  })
