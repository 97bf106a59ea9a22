/** The sources `npm run sync` knows, each with how to tell it is configured and how to sync it. */
import type { HttpClient } from "@effect/platform"
import type { PgClient } from "@effect/sql-pg"
import type { ConfigError, Effect } from "effect"
import * as Ga4 from "../connectors/ga4/Ga4.ts"
import * as SearchConsole from "../connectors/search-console/SearchConsole.ts"

export interface SyncOptions {
  readonly ledger: PgClient.PgClient
  readonly since?: string
  readonly until?: string
  readonly sites?: ReadonlyArray<string>
}

export interface SourceSync {
  readonly name: string
  readonly configured: Effect.Effect<boolean, ConfigError.ConfigError>
  readonly sync: (options: SyncOptions) => Effect.Effect<SearchConsole.SyncOutcome, unknown, HttpClient.HttpClient>
}

export const sources: ReadonlyArray<SourceSync> = [
  { name: SearchConsole.source, configured: SearchConsole.configured, sync: SearchConsole.sync },
  { name: Ga4.source, configured: Ga4.configured, sync: Ga4.sync }
]
