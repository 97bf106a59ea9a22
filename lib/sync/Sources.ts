/** The sources `npm run sync` knows, each with how to tell it is configured and how to sync it. */
import type { HttpClient } from "@effect/platform"
import type { ConfigError, Effect } from "effect"
import * as Bing from "../connectors/bing/Bing.ts"
import * as Clarity from "../connectors/clarity/Clarity.ts"
import * as Ga4 from "../connectors/ga4/Ga4.ts"
import * as Instagram from "../connectors/instagram/Instagram.ts"
import * as MailerLite from "../connectors/mailerlite/MailerLite.ts"
import * as X from "../connectors/x/X.ts"
import * as YouTube from "../connectors/youtube/YouTube.ts"
import * as SearchConsole from "../connectors/search-console/SearchConsole.ts"

import { addDays } from "./Days.ts"
import type { SyncOptions, SyncOutcome } from "./Run.ts"

export interface SourceSync {
  readonly name: string
  readonly configured: Effect.Effect<boolean, ConfigError.ConfigError>
  readonly sync: (options: SyncOptions) => Effect.Effect<SyncOutcome, unknown, HttpClient.HttpClient>
  readonly backfill: {
    /** Why a backfill starting at `from` cannot work, given today (UTC); undefined when it can. */
    readonly check: (from: string, today: string) => string | undefined
  }
}

const monthsBefore = (day: string, months: number) => {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCMonth(d.getUTCMonth() - months)
  return d.toISOString().slice(0, 10)
}

export const sources: ReadonlyArray<SourceSync> = [
  {
    name: SearchConsole.source,
    configured: SearchConsole.configured,
    sync: SearchConsole.sync,
    backfill: {
      check: (from, today) =>
        from < monthsBefore(today, 16) ? `Search Console keeps 16 months: the earliest day it can return is ${monthsBefore(today, 16)}` : undefined
    }
  },
  {
    name: Ga4.source,
    configured: Ga4.configured,
    sync: Ga4.sync,
    // The Data API serves aggregated reports for the property's whole life (event-level retention does not apply).
    backfill: { check: (from) => (from < "2015-08-14" ? "GA4 has no data before 2015-08-14 (the Data API's earliest date)" : undefined) }
  },
  {
    name: Clarity.source,
    configured: Clarity.configured,
    sync: Clarity.sync,
    backfill: {
      check: (from, today) =>
        from < addDays(today, -3) ? `Clarity answers only for the last 72 hours: the earliest day a backfill can load is ${addDays(today, -3)}` : undefined
    }
  },
  {
    name: MailerLite.source,
    configured: MailerLite.configured,
    sync: MailerLite.sync,
    // Every run is a full pass (the API cannot list by date): a backfill is the same pass, whatever the range.
    backfill: { check: () => undefined }
  },
  {
    name: Bing.source,
    configured: Bing.configured,
    sync: Bing.sync,
    // No date parameters: a backfill loads the weeks of the returned history that fall in its range.
    backfill: { check: (from, today) => (from < monthsBefore(today, 6) ? `Bing returns about six months of weekly history: the earliest week it can load is near ${monthsBefore(today, 6)}` : undefined) }
  },
  {
    name: X.source,
    configured: X.configured,
    sync: X.sync,
    // The user timeline reaches back 3,200 posts; a backfill pages start_time..end_time within that.
    backfill: { check: () => undefined }
  },
  {
    name: Instagram.source,
    configured: Instagram.configured,
    sync: Instagram.sync,
    // Every run reads all media; a backfill's `from` widens the window that gets insights and comments.
    backfill: { check: () => undefined }
  },
  {
    name: YouTube.source,
    configured: YouTube.configured,
    sync: YouTube.sync,
    backfill: { check: (from) => (from < "2005-04-23" ? "YouTube has no data before 2005-04-23" : undefined) }
  }
]
