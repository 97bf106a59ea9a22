/**
 * The sync ledger in ops: daily quotas consumed atomically before each call
 * (they hold across restarts and concurrent runs), cursors written inside the
 * load's own transaction, and raw payloads kept for replay.
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { SourceError } from "../http/SourceError.ts"

/**
 * Spends `cost` of today's budget for (source, scope), or fails with
 * QuotaExhausted without spending anything. One statement: concurrent runs
 * cannot overspend.
 */
export const consumeQuota = (sql: SqlClient.SqlClient, options: { source: string; scope: string; limit: number; cost?: number; day?: string }) =>
  Effect.gen(function*() {
    const cost = options.cost ?? 1
    const day = options.day ?? new Date().toISOString().slice(0, 10)
    const rows = yield* sql<{ used: number }>`
      INSERT INTO ops.api_quota_usage (source, scope, day, used, quota_limit)
      SELECT ${options.source}, ${options.scope}, ${day}::date, ${cost}, ${options.limit} WHERE ${cost} <= ${options.limit}
      ON CONFLICT (source, scope, day) DO UPDATE SET used = ops.api_quota_usage.used + EXCLUDED.used, quota_limit = EXCLUDED.quota_limit
       WHERE ops.api_quota_usage.used + EXCLUDED.used <= EXCLUDED.quota_limit
      RETURNING used`
    if (rows.length === 0) {
      return yield* new SourceError({
        source: options.source,
        stream: "quota",
        reason: "QuotaExhausted",
        message: `${options.source}: today's budget of ${options.limit} calls for ${options.scope} is spent; the next run resumes tomorrow (UTC)`
      })
    }
    return rows[0]!.used
  })

export const readCursor = (sql: SqlClient.SqlClient, source: string, stream: string, scope: string) =>
  Effect.map(
    sql<{ position: string }>`SELECT position FROM ops.sync_cursors WHERE source = ${source} AND stream = ${stream} AND scope = ${scope}`,
    (rows) => rows[0]?.position
  )

/** Moves a cursor; call it inside the transaction that loads the rows it covers. */
export const writeCursor = (sql: SqlClient.SqlClient, source: string, stream: string, scope: string, position: string) =>
  sql`INSERT INTO ops.sync_cursors (source, stream, scope, position, updated_at) VALUES (${source}, ${stream}, ${scope}, ${position}, now())
      ON CONFLICT (source, stream, scope) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`

export const storeRaw = (
  sql: SqlClient.SqlClient,
  entry: { source: string; stream: string; scope: string; request: unknown; body: string; status: "loaded" | "drift"; error?: string }
) =>
  sql`INSERT INTO ops.raw_payloads (source, stream, scope, request, body, status, error)
      VALUES (${entry.source}, ${entry.stream}, ${entry.scope}, ${JSON.stringify(entry.request)}::jsonb, ${entry.body}, ${entry.status}, ${entry.error ?? null})`
