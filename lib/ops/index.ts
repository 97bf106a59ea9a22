/** solohub/ops: the task ledger. */
export * from "./errors.ts"
export * from "./TaskLedger.ts"
