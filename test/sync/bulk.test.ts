import { expect, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { Admin } from "../../lib/db/Connections.ts"
import { provision } from "../../lib/db/Provision.ts"
import { copyRows, copyText, upsertRows } from "../../lib/sync/Bulk.ts"
import { adminOn } from "../support/sql.ts"
import { makeTestEnv } from "../support/TestEnv.ts"

const env = makeTestEnv()
const base = Admin.layer.pipe(Layer.provideMerge(Layer.effectDiscard(provision()).pipe(Layer.provideMerge(env.layer))))

const table = "bulk_probe"
const ddl = `CREATE TABLE IF NOT EXISTS ${table} (site text NOT NULL, day date NOT NULL, page text NOT NULL, clicks bigint NOT NULL,
  ctr double precision, note text, payload jsonb, flag boolean, PRIMARY KEY (site, day, page))`
const columns = (rows: ReadonlyArray<{ site: string; day: string; page: string; clicks: number; ctr?: number | null; note?: string | null; payload?: unknown; flag?: boolean }>) => [
  { name: "site", values: rows.map((r) => r.site) },
  { name: "day", values: rows.map((r) => r.day) },
  { name: "page", values: rows.map((r) => r.page) },
  { name: "clicks", values: rows.map((r) => r.clicks) },
  { name: "ctr", values: rows.map((r) => r.ctr ?? null) },
  { name: "note", values: rows.map((r) => r.note ?? null) },
  { name: "payload", values: rows.map((r) => r.payload ?? null) },
  { name: "flag", values: rows.map((r) => r.flag ?? null) }
]
const key = ["site", "day", "page"]

layer(base, { timeout: 60_000, excludeTestServices: true })("the COPY loader", (it) => {
  it("encodes COPY text: NULL, escapes, booleans, dates, JSON", () => {
    expect(copyText(null)).toBe("\\N")
    expect(copyText(undefined)).toBe("\\N")
    expect(copyText("a\tb\nc\\d\re")).toBe("a\\tb\\nc\\\\d\\re")
    expect(copyText("\\N")).toBe("\\\\N")
    expect(copyText(true)).toBe("t")
    expect(copyText(new Date("2026-11-22T03:00:00Z"))).toBe("2026-11-22T03:00:00.000Z")
    expect(copyText({ a: "x\ty" })).toBe('{"a":"x\\\\ty"}')
  })

  it.scoped("round-trips awkward values exactly, in the caller's transaction", () =>
    Effect.gen(function*() {
      const sql = yield* adminOn()
      yield* sql.unsafe(ddl)
      yield* sql.unsafe(`TRUNCATE ${table}`)
      const awkward = ["tab\there", "new\nline", "back\\slash", "\\N", "", "ünïcödé ✓", "quote\"'", "cr\rlf"]
      const rows = awkward.map((note, i) => ({ site: "s", day: "2026-11-01", page: `/p${i}`, clicks: i, ctr: i / 3, note, payload: { note, n: i }, flag: i % 2 === 0 }))
      // Rolled back with its transaction: nothing stays.
      const failed = yield* sql.withTransaction(Effect.zipRight(copyRows(sql, table, columns(rows)), Effect.fail("stop"))).pipe(Effect.exit)
      expect(Exit.isFailure(failed)).toBe(true)
      expect((yield* sql.unsafe<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n).toBe("0")
      expect(yield* sql.withTransaction(copyRows(sql, table, columns(rows)))).toBe(awkward.length)
      const back = yield* sql.unsafe<{ note: string; payload: { note: string }; ctr: number; flag: boolean }>(`SELECT note, payload, ctr, flag FROM ${table} ORDER BY clicks`)
      expect(back.map((r) => r.note)).toEqual(awkward)
      expect(back.map((r) => r.payload.note)).toEqual(awkward)
      expect(back.map((r) => r.ctr)).toEqual(rows.map((r) => r.ctr))
      expect(back.map((r) => r.flag)).toEqual(rows.map((r) => r.flag))
    }))

  it.scoped("upserts: new rows are inserted, existing keys replaced, duplicates in a batch keep the last, other rows untouched", () =>
    Effect.gen(function*() {
      const sql = yield* adminOn()
      yield* sql.unsafe(ddl)
      yield* sql.unsafe(`TRUNCATE ${table}`)
      const first = Array.from({ length: 5000 }, (_, i) => ({ site: "s", day: "2026-11-01", page: `/p${i}`, clicks: i }))
      yield* sql.withTransaction(upsertRows(sql, table, key, columns(first)))
      const second = [
        { site: "s", day: "2026-11-01", page: "/p1", clicks: 100 },
        { site: "s", day: "2026-11-01", page: "/p2", clicks: 200 },
        { site: "s", day: "2026-11-01", page: "/p2", clicks: 201 },
        { site: "s", day: "2026-11-02", page: "/new", clicks: 7 }
      ]
      expect(yield* sql.withTransaction(upsertRows(sql, table, key, columns(second)))).toBe(3)
      const rows = yield* sql.unsafe<{ page: string; day: string; clicks: string }>(
        `SELECT page, to_char(day, 'YYYY-MM-DD') AS day, clicks::text FROM ${table} WHERE page IN ('/p0', '/p1', '/p2', '/new') ORDER BY page`
      )
      expect(rows).toEqual([
        { page: "/new", day: "2026-11-02", clicks: "7" },
        { page: "/p0", day: "2026-11-01", clicks: "0" },
        { page: "/p1", day: "2026-11-01", clicks: "100" },
        { page: "/p2", day: "2026-11-01", clicks: "201" }
      ])
      expect((yield* sql.unsafe<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n).toBe("5001")
      // The same batch again is a no-op on the contents.
      yield* sql.withTransaction(upsertRows(sql, table, key, columns(second)))
      expect((yield* sql.unsafe<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n).toBe("5001")
    }))

  it.scoped("a bad value fails the COPY with the server's message and leaves the table as it was", () =>
    Effect.gen(function*() {
      const sql = yield* adminOn()
      yield* sql.unsafe(ddl)
      yield* sql.unsafe(`TRUNCATE ${table}`)
      const error = yield* sql.withTransaction(copyRows(sql, table, columns([{ site: "s", day: "not a date", page: "/x", clicks: 1 }]))).pipe(Effect.flip)
      expect(error.message).toMatch(/COPY into bulk_probe failed: invalid input syntax for type date/)
      // The connection is usable afterwards.
      expect((yield* sql.unsafe<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n).toBe("0")
      const exit = yield* copyRows(sql, table, [{ name: "site", values: ["a"] }, { name: "page", values: [] }]).pipe(Effect.exit)
      expect(Exit.isFailure(exit)).toBe(true)
    }))
})
