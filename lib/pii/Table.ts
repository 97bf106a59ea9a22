/**
 * Every table solohub creates has a definition here: where it lives, what it
 * is for, its columns as an Effect Schema (the encoded side is the database
 * row), and which of them are personal data. The catalog, the assistant's
 * grants and the untagged-column check are all derived from these.
 */
import type { Schema } from "effect"
import { type Column, columnsOf } from "./Pii.ts"

/** Which kind of database a table lives in. */
export type DatabaseKind = "hub" | "product"

/** Any table, whatever its row type (what the catalog and the grants work with). */
export interface AnyTable {
  readonly database: DatabaseKind
  readonly schema: string
  readonly name: string
  readonly description: string
  readonly row: Schema.Schema.Any
  readonly key: ReadonlyArray<string>
  readonly columns: ReadonlyArray<Column>
  readonly qualified: string
}

export interface TableDefinition<Fields extends Schema.Struct.Fields = Schema.Struct.Fields> extends AnyTable {
  readonly database: DatabaseKind
  readonly schema: string
  readonly name: string
  /** One or two sentences for a human or a model reading the schema. */
  readonly description: string
  readonly row: Schema.Struct<Fields>
  /** Natural key columns (database names), for idempotent upserts. */
  readonly key: ReadonlyArray<string>
  readonly columns: ReadonlyArray<Column>
  /** `schema.name`, quoted for SQL. */
  readonly qualified: string
}

/** Defines a table from its row schema. */
export const make = <Fields extends Schema.Struct.Fields>(options: {
  readonly database: DatabaseKind
  readonly schema: string
  readonly name: string
  readonly description: string
  readonly row: Schema.Struct<Fields>
  readonly key?: ReadonlyArray<string>
}): TableDefinition<Fields> => {
  const columns = columnsOf(options.row)
  for (const key of options.key ?? []) {
    if (!columns.some((c) => c.column === key)) {
      throw new Error(`${options.schema}.${options.name}: key column "${key}" is not in its row schema`)
    }
  }
  return {
    ...options,
    key: options.key ?? [],
    columns,
    qualified: `"${options.schema}"."${options.name}"`
  }
}

/** The columns of a table that are personal data. */
export const piiColumns = (table: AnyTable) => table.columns.filter((c) => c.pii !== null)
