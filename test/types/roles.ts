/**
 * Type-level proof, compiled by `npm run typecheck`: code that needs the
 * warehouse writer does not compile when only the assistant's reader is given.
 * If the `@ts-expect-error` lines ever compile cleanly, tsc fails.
 */
import { Effect, Layer } from "effect"
import { AssistantReader, HubWriter, WarehouseWriter } from "../../lib/db/Connections.ts"

declare const needsWarehouseWriter: Effect.Effect<void, never, WarehouseWriter>
declare const onlyAssistant: Layer.Layer<AssistantReader>
declare const onlyWarehouse: Layer.Layer<WarehouseWriter>

// @ts-expect-error the assistant's reader is not the warehouse writer
export const wrongRole: Effect.Effect<void> = needsWarehouseWriter.pipe(Effect.provide(onlyAssistant))

// @ts-expect-error a task given only the assistant's reader cannot run what writes the warehouse
Effect.runPromise(needsWarehouseWriter.pipe(Effect.provide(onlyAssistant)))

// The right role compiles.
export const rightRole: Effect.Effect<void> = needsWarehouseWriter.pipe(Effect.provide(onlyWarehouse))

// Two roles are two services, even though both are PgClients.
export const both = Effect.gen(function*() {
  const writer = yield* HubWriter
  const reader = yield* AssistantReader
  return [writer, reader] as const
})
// @ts-expect-error both roles are required
export const missingOne: Effect.Effect<unknown, never, HubWriter> = both
