import { Schema } from "effect"

/** The audit found a control it could not prove. */
export class AuditFailedError extends Schema.TaggedError<AuditFailedError>("solohub/AuditFailedError")("AuditFailedError", {
  failedChecks: Schema.Array(Schema.String),
  message: Schema.String
}) {}
