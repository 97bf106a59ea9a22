/**
 * The founder's own records, imported from CSV (docs/imports.md): the consulting CRM (clients are people: their
 * name, email and notes are personal data) and the finances (income and fixed costs by month and category).
 */
import { Schema } from "effect"
import { pii } from "../pii/Pii.ts"
import * as Table from "../pii/Table.ts"

const text = Schema.NullOr(Schema.String)
const day = Schema.NullOr(Schema.DateFromSelf)

export const clients = Table.make({
  database: "hub", schema: "crm", name: "clients", description: "Consulting clients.",
  row: Schema.Struct({
    client_id: Schema.String, name: pii("name")(Schema.String), email: pii("email")(text), company: text, country: text,
    source_channel: text, created_on: day, notes: pii("free_text")(text), imported_at: Schema.DateFromSelf
  }),
  key: ["client_id"]
})

export const deals = Table.make({
  database: "hub", schema: "crm", name: "deals", description: "Consulting deals and the channel they came from.",
  row: Schema.Struct({
    deal_id: Schema.String, client_id: Schema.String, title: Schema.String, stage: Schema.String, value_cents: Schema.NumberFromString,
    currency: Schema.String, source_channel: text, opened_on: Schema.DateFromSelf, closed_on: day, imported_at: Schema.DateFromSelf
  }),
  key: ["deal_id"]
})

export const invoices = Table.make({
  database: "hub", schema: "crm", name: "invoices", description: "Invoices sent to consulting clients.",
  row: Schema.Struct({
    invoice_number: Schema.String, client_id: Schema.String, deal_id: text, issued_on: Schema.DateFromSelf, due_on: day, paid_on: day,
    amount_cents: Schema.NumberFromString, currency: Schema.String, status: Schema.String, imported_at: Schema.DateFromSelf
  }),
  key: ["invoice_number"]
})

export const entries = Table.make({
  database: "hub", schema: "finance", name: "entries", description: "Income and fixed costs by month and category.",
  row: Schema.Struct({
    month: Schema.DateFromSelf, kind: Schema.Literal("income", "cost"), category: Schema.String, amount_cents: Schema.NumberFromString,
    currency: Schema.String, note: text, imported_at: Schema.DateFromSelf
  }),
  key: ["month", "kind", "category", "currency"]
})

export const importsLog = Table.make({
  database: "hub", schema: "ops", name: "imports", description: "Each imported file: its kind, content hash and rows.",
  row: Schema.Struct({ kind: Schema.String, sha256: Schema.String, file_name: Schema.String, rows: Schema.Number, imported_at: Schema.DateFromSelf }),
  key: ["kind", "sha256"]
})

export const importTables: ReadonlyArray<Table.AnyTable> = [clients, deals, invoices, entries, importsLog]
