/** Errors of the task runner. */
import { Schema } from "effect"

/** Another run of the same job holds its lock. */
export class TaskLockedError extends Schema.TaggedError<TaskLockedError>("solohub/TaskLockedError")("TaskLockedError", {
  task: Schema.String,
  lockKey: Schema.String,
  message: Schema.String
}) {}

/** A backup or restore drill could not do its job; the message says which step and why. */
export class BackupError extends Schema.TaggedError<BackupError>("solohub/BackupError")("BackupError", {
  reason: Schema.Literal("Config", "Dump", "Encrypt", "Store", "Upload", "Fetch", "Decrypt", "Corrupt", "Restore", "Mismatch"),
  message: Schema.String
}) {}

/** A task that loads real external data refused to run before a restore drill passed. */
export class GateClosedError extends Schema.TaggedError<GateClosedError>("solohub/GateClosedError")("GateClosedError", {
  message: Schema.String
}) {}
