/**
 * Every table solohub creates, in every database. This list is the single
 * source of each column's PII status: a column in the database that no
 * definition here names is treated as PII, and a test fails on it.
 */
import { attributionTables } from "./attribution/tables.ts"
import { backlogTables } from "./backlog/tables.ts"
import { bingTables } from "./connectors/bing/tables.ts"
import { clarityTables } from "./connectors/clarity/tables.ts"
import { ga4Tables } from "./connectors/ga4/tables.ts"
import { instagramTables } from "./connectors/instagram/tables.ts"
import { mailerliteTables } from "./connectors/mailerlite/tables.ts"
import { searchConsoleTables } from "./connectors/search-console/tables.ts"
import { xTables } from "./connectors/x/tables.ts"
import { youtubeTables } from "./connectors/youtube/tables.ts"
import { importTables } from "./imports/tables.ts"
import { opsTables } from "./ops/tables.ts"
import { productTables } from "./product/tables.ts"
import { syncTables } from "./sync/tables.ts"
import type { AnyTable } from "./pii/Table.ts"
import { warehouseTables } from "./warehouse/tables.ts"

export const allTables: ReadonlyArray<AnyTable> = [
  ...opsTables,
  ...attributionTables,
  ...backlogTables,
  ...syncTables,
  ...searchConsoleTables,
  ...ga4Tables,
  ...clarityTables,
  ...mailerliteTables,
  ...bingTables,
  ...xTables,
  ...instagramTables,
  ...youtubeTables,
  ...importTables,
  ...warehouseTables,
  ...productTables
]
