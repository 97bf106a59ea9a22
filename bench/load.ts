/**
 * bench/load: 1,000,000 Search-Console-shaped rows through solohub's loader
 * (lib/sync/Bulk.ts, the statement every slice load uses) and, in the same run,
 * raw COPY of the same rows into an identical table — the physical limit.
 * Prints rows/s for both, the ratio, and peak RSS. Not a test: run
 * `npm run bench:load [-- rows]` on the embedded default (or SOLOHUB_ADMIN_URL).
 */
import { Effect, Layer } from "effect"
import pg from "pg"
import { from as copyFrom } from "pg-copy-streams"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { Admin } from "../lib/db/Connections.ts"
import { Cluster } from "../lib/db/Cluster.ts"
import { Layout } from "../lib/db/Layout.ts"
import { ident } from "../lib/db/Quote.ts"
import { upsertRows } from "../lib/sync/Bulk.ts"
import { Redacted } from "effect"

const total = Number(process.argv[2] ?? 1_000_000)
const batch = 25_000 // one Search Console page

const baselineRss = process.memoryUsage().rss
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0)
let peakRss = 0
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20)

/** Row i of the synthetic dataset, generated on the fly so neither side holds the whole set. */
const row = (i: number) => {
  const day = Math.floor(i / 5000)
  return {
    property: "blog",
    site_url: "sc-domain:blog.example.com",
    search_type: "web",
    date: new Date(Date.UTC(2025, 0, 1) + day * 86_400_000).toISOString().slice(0, 10),
    page: `https://blog.example.com/posts/${i % 400}`,
    query: `query number ${i % 5000} about topic ${i % 37}`,
    clicks: i % 17,
    impressions: (i % 17) * 13 + 5,
    ctr: (i % 17) / ((i % 17) * 13 + 5),
    position: 1 + (i % 97) / 10,
    aggregation_type: "byPage",
    fetched_at: "2026-11-22T03:00:00Z"
  }
}

const ddl = (table: string) => `
  CREATE TABLE ${table} (
    property text NOT NULL, site_url text NOT NULL, search_type text NOT NULL, date date NOT NULL, page text NOT NULL, query text NOT NULL,
    clicks bigint NOT NULL, impressions bigint NOT NULL, ctr double precision NOT NULL, position double precision,
    aggregation_type text NOT NULL, fetched_at timestamptz NOT NULL,
    PRIMARY KEY (site_url, search_type, date, page, query))`

const program = Effect.gen(function*() {
  const admin = yield* Admin
  const layout = yield* Layout
  const database = `${layout.namespace === "" ? "" : `${layout.namespace}_`}bench_load`
  yield* admin.client.unsafe(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`)
  yield* admin.client.unsafe(`CREATE DATABASE ${ident(database)}`)
  const result = yield* Effect.scoped(Effect.gen(function*() {
    const sql = yield* admin.connect(database)
    yield* sql.unsafe(ddl("loader_rows"))
    yield* sql.unsafe(ddl("copy_rows"))

    // COPY first, then the loader: neither gets a warmer cache than the other had.
    yield* admin.client.unsafe("CHECKPOINT")
    const params = { ...admin.params, database }
    const copySeconds = yield* Effect.promise(async () => {
      const client = new pg.Client({ host: params.host, port: params.port, user: params.user, password: Redacted.value(params.password), database })
      await client.connect()
      const started = performance.now()
      let i = 0
      const source = new Readable({
        read() {
          const lines: Array<string> = []
          for (let k = 0; k < 5000 && i < total; k++, i++) {
            const r = row(i)
            lines.push([r.property, r.site_url, r.search_type, r.date, r.page, r.query, r.clicks, r.impressions, r.ctr, r.position, r.aggregation_type, r.fetched_at].join("\t"))
          }
          this.push(lines.length > 0 ? lines.join("\n") + "\n" : null)
        }
      })
      await pipeline(source, client.query(copyFrom("COPY copy_rows FROM STDIN")))
      const seconds = (performance.now() - started) / 1000
      await client.end()
      return seconds
    })
    const copyRss = peakRss

    yield* admin.client.unsafe("CHECKPOINT")
    peakRss = process.memoryUsage().rss
    const loaderStart = performance.now()
    for (let start = 0; start < total; start += batch) {
      const rows = Array.from({ length: Math.min(batch, total - start) }, (_, k) => row(start + k))
      const col = <K extends keyof ReturnType<typeof row>>(k: K) => rows.map((r) => r[k])
      yield* sql.withTransaction(upsertRows(sql, "loader_rows", ["site_url", "search_type", "date", "page", "query"], [
        { name: "property", values: col("property") },
        { name: "site_url", values: col("site_url") },
        { name: "search_type", values: col("search_type") },
        { name: "date", values: col("date") },
        { name: "page", values: col("page") },
        { name: "query", values: col("query") },
        { name: "clicks", values: col("clicks") },
        { name: "impressions", values: col("impressions") },
        { name: "ctr", values: col("ctr") },
        { name: "position", values: col("position") },
        { name: "aggregation_type", values: col("aggregation_type") },
        { name: "fetched_at", values: col("fetched_at") }
      ]))
    }
    const loaderSeconds = (performance.now() - loaderStart) / 1000
    const loaderRss = peakRss

    // A second pass over the first batch: every key exists, so the upsert takes its conflict path.
    const replaceStart = performance.now()
    const again = Array.from({ length: Math.min(batch, total) }, (_, k) => row(k))
    const col = <K extends keyof ReturnType<typeof row>>(k: K) => again.map((r) => r[k])
    yield* sql.withTransaction(upsertRows(sql, "loader_rows", ["site_url", "search_type", "date", "page", "query"],
      (Object.keys(again[0]!) as Array<keyof ReturnType<typeof row>>).map((name) => ({ name, values: name === "clicks" ? col(name).map((c) => Number(c) + 1) : col(name) }))))
    const replaceSeconds = (performance.now() - replaceStart) / 1000
    const counts = yield* sql<{ l: string; c: string }>`SELECT (SELECT count(*) FROM loader_rows)::text AS l, (SELECT count(*) FROM copy_rows)::text AS c`
    const replaced = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM loader_rows l JOIN copy_rows c USING (site_url, search_type, date, page, query) WHERE l.clicks = c.clicks + 1`
    return { loaderSeconds, copySeconds, replaceSeconds, copyRss, loaderRss, counts: counts[0]!, replaced: replaced[0]!.n }
  }))
  yield* admin.client.unsafe(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`)
  clearInterval(sample)
  const loaderRate = total / result.loaderSeconds
  const copyRate = total / result.copySeconds
  console.log(`rows: ${total.toLocaleString("en")} (loader kept ${result.counts.l}, COPY ${result.counts.c})`)
  console.log(`loader (upsertRows: COPY under a savepoint, ${batch.toLocaleString("en")} rows per statement): ${result.loaderSeconds.toFixed(2)} s, ${Math.round(loaderRate).toLocaleString("en")} rows/s`)
  console.log(`raw COPY FROM STDIN:                                  ${result.copySeconds.toFixed(2)} s, ${Math.round(copyRate).toLocaleString("en")} rows/s`)
  console.log(`loader / COPY throughput: ${(loaderRate / copyRate).toFixed(2)} (target ≥ 0.50)`)
  console.log(`conflict path (${Math.min(batch, total).toLocaleString("en")} existing keys: COPY meets a key, then INSERT … ON CONFLICT DO UPDATE): ${result.replaceSeconds.toFixed(2)} s, ${result.replaced} rows updated`)
  console.log(`peak RSS: ${mb(baselineRss)} MB at start, ${mb(result.copyRss)} MB during COPY, ${mb(result.loaderRss)} MB during the loader (target < 300 MB)`)
})

const layer = Layer.mergeAll(Admin.layer, Layout.layer).pipe(Layer.provideMerge(Layer.merge(Cluster.layer, Layout.layer)))
Effect.runPromise(Effect.provide(program, layer)).catch((error) => {
  clearInterval(sample)
  console.error(String(error))
  process.exit(1)
})

