/** Errors of the task runner. */
import { Schema } from "effect"

/** Another run of the same job holds its lock. */
export class TaskLockedError extends Schema.TaggedError<TaskLockedError>("solohub/TaskLockedError")("TaskLockedError", {
  task: Schema.String,
  lockKey: Schema.String,
  message: Schema.String
}) {}
