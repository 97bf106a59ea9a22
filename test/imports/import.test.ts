import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { HubWriter, WarehouseWriter } from "../../lib/db/Connections.ts"
import { runEtl } from "../../lib/etl/Etl.ts"
import { Pseudonymizer } from "../../lib/pii/Pseudonymize.ts"
import { provision } from "../../lib/db/Provision.ts"
import { parseCsv } from "../../lib/imports/Csv.ts"
import { importFile, type ImportError } from "../../lib/imports/Import.ts"
import { adminOn } from "../support/sql.ts"
import { runTask } from "../support/subprocess.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const env = makeTestEnv()
const base = Layer.mergeAll(HubWriter.layer, WarehouseWriter.layer, Pseudonymizer.layer).pipe(
  Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer)))
)
const sample = (name: string) => fs.readFileSync(path.join("docs/samples", name), "utf8")

describe("CSV parsing", () => {
  it("reads quotes, doubled quotes, commas and line breaks inside quotes, CRLF and a BOM, keeping each record's line", () => {
    const records = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\n\n')
    expect(records).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x, y", 'say "hi"'] },
      { line: 3, fields: ["two\nlines", "z"] }
    ])
    expect(() => parseCsv('a,b\n"open,1\n')).toThrow(/line 2: a quoted field is never closed/)
    expect(() => parseCsv('a,b\nx"y,1\n')).toThrow(/line 2: a quote inside an unquoted field/)
  })
})

layer(base, { timeout: 60_000, excludeTestServices: true })("npm run import", (it) => {
  it.effect("imports clients, deals, invoices and finances from the sample files; the same file again is a no-op", () =>
    Effect.gen(function*() {
      const sql = yield* HubWriter
      for (const [kind, file] of [["crm", "clients.csv"], ["crm", "deals.csv"], ["crm", "invoices.csv"], ["finance", "finance.csv"]] as const) {
        const first = yield* importFile(sql, kind, file, sample(file))
        expect(first.alreadyImported).toBe(false)
        const again = yield* importFile(sql, kind, file, sample(file))
        expect(again).toMatchObject({ alreadyImported: true, rows: 0 })
      }
      const [counts] = yield* sql<Record<string, string>>`
        SELECT (SELECT count(*)::text FROM crm.clients) AS clients, (SELECT count(*)::text FROM crm.deals) AS deals,
               (SELECT count(*)::text FROM crm.invoices) AS invoices, (SELECT count(*)::text FROM finance.entries) AS entries,
               (SELECT sum(value_cents)::text FROM crm.deals) AS deal_cents, (SELECT name FROM crm.clients WHERE client_id = 'c-003') AS quoted,
               (SELECT company FROM crm.clients WHERE client_id = 'c-003') AS company, (SELECT count(*)::text FROM ops.imports) AS files`
      expect(counts).toEqual({ clients: "3", deals: "3", invoices: "2", entries: "8", deal_cents: "1330050", quoted: "Ada Byron", company: "Engines, Ltd.", files: "4" })
      // The warehouse: the P&L per month and deals by channel, without the clients.
      const outcomes = yield* runEtl
      const wh = yield* WarehouseWriter
      expect(outcomes.filter((o) => o.model === "finance_monthly" || o.model === "deals").map((o) => o.rows)).toEqual([8, 3])
      const pnl = yield* wh<{ month: string; income_cents: string; fixed_costs_cents: string; profit_cents: string }>`
        SELECT to_char(month, 'YYYY-MM') AS month, income_cents::text, fixed_costs_cents::text, profit_cents::text FROM warehouse.pnl_monthly ORDER BY month`
      expect(pnl).toEqual([
        { month: "2026-09", income_cents: "512000", fixed_costs_cents: "4300", profit_cents: "507700" },
        { month: "2026-10", income_cents: "291000", fixed_costs_cents: "4300", profit_cents: "286700" }
      ])
      const channels = yield* wh<{ channel: string; won: string; won_value_cents: string | null }>`
        SELECT channel, won::text, won_value_cents::text FROM warehouse.deals_by_channel ORDER BY channel`
      expect(channels).toEqual([
        { channel: "newsletter", won: "1", won_value_cents: "480000" },
        { channel: "search", won: "0", won_value_cents: null },
        { channel: "youtube", won: "1", won_value_cents: "250000" }
      ])
      const columns = yield* wh<{ c: string }>`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'warehouse' AND table_name = 'deals'`
      expect(columns.map((c) => c.c)).not.toContain("client_id")
      expect((yield* runEtl).filter((o) => o.slices > 0)).toEqual([])
    }))

  it.effect("a file with bad rows is refused whole, each problem with its line number and reason; nothing is loaded", () =>
    Effect.gen(function*() {
      const sql = yield* HubWriter
      const bad = [
        "deal_id,client_id,title,stage,value,currency,source_channel,opened_on,closed_on",
        "d-201,c-001,Good row,won,100.00,EUR,,2026-10-01,",
        "d-202,c-001,Bad amount,won,12.345,EUR,,2026-10-01,",
        "d-203,c-001,Bad date,maybe,100,eur,,2026-02-30,",
        "d-204,c-404,Unknown client,lead,100,EUR,,2026-10-01,",
        "d-201,c-001,Duplicate,won,100,EUR,,2026-10-01,",
        "d-205,c-001,Too few fields"
      ].join("\n")
      const error = (yield* importFile(sql, "crm", "bad-deals.csv", bad).pipe(Effect.flip)) as ImportError
      expect(error.message).toContain("bad-deals.csv: nothing imported")
      expect(error.problems).toEqual([
        "line 3: value: an amount like 1234.50 (a dot, at most two decimals)",
        'line 4: stage: one of lead, proposal, won, lost (got "maybe")',
        "line 4: currency: an ISO 4217 code such as EUR",
        "line 4: opened_on: not a calendar date",
        "line 6: the same deal_id as line 2",
        "line 7: 3 fields, the header has 9"
      ])
      const refs: ImportError = yield* importFile(sql, "crm", "refs.csv", "deal_id,client_id,title,stage,value,currency,source_channel,opened_on,closed_on\nd-301,c-404,x,lead,1,EUR,,2026-10-01,\n").pipe(Effect.flip, Effect.map((e) => e as ImportError))
      expect(refs.problems).toEqual(["line 2: client_id c-404 is not a known client (import the clients file first)"])
      const left = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM crm.deals WHERE deal_id IN ('d-201', 'd-301')`
      expect(left[0]!.n).toBe("0")
      const header = (yield* importFile(sql, "finance", "wrong.csv", "when,what\n2026-01,x\n").pipe(Effect.flip)) as ImportError
      expect(header.problems[0]).toContain('line 1: unknown header "when,what"; expected one of — finance: month,kind,category,amount,currency,note')
    }))

  it.scoped("through the task: exit 0 and a count; a bad file exits 1 with the lines; clients' personal data is tagged", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "solohub-import-"))
      const file = path.join(dir, "finance.csv")
      fs.writeFileSync(file, "month,kind,category,amount,currency,note\n2026-11,cost,hosting,25,EUR,\n2026-13,cost,hosting,25,EUR,\n")
      const refused = yield* Effect.promise(() => runTask("tasks/import.ts", ["finance", file], env.env))
      expect(refused.code).toBe(1)
      expect(refused.stdout).toContain("line 3: month: a month as YYYY-MM")
      fs.writeFileSync(file, "month,kind,category,amount,currency,note\n2026-11,cost,hosting,25,EUR,\n")
      const ok = yield* Effect.promise(() => runTask("tasks/import.ts", ["finance", file], env.env))
      expect(ok.code, ok.stdout + ok.stderr).toBe(0)
      expect(ok.stdout).toContain("finance.csv: 1 finance:finance rows imported")
      const sql = yield* adminOn()
      const tagged = yield* sql<{ column_name: string; pii_kind: string }>`
        SELECT column_name, pii_kind FROM ops.pii_catalog WHERE schema_name = 'crm' AND table_name = 'clients' AND pii_kind IS NOT NULL ORDER BY column_name`
      expect(tagged.map((t) => `${t.column_name}:${t.pii_kind}`)).toEqual(["email:email", "name:name", "notes:free_text"])
    }))
})
