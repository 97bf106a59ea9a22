/** Errors of the database layer, each with a reason and a message that says what to do. */
import { Schema } from "effect"

/** The Postgres server could not be started, reached or logged into. */
export class ClusterError extends Schema.TaggedError<ClusterError>("solohub/ClusterError")("ClusterError", {
  reason: Schema.Literal(
    "InitFailed",
    "StartFailed",
    "StopFailed",
    "DataDirectoryInvalid",
    "Unreachable",
    "AuthenticationFailed",
    "NotSuperuser"
  ),
  message: Schema.String
}) {}

/** Provisioning refused or failed; nothing half-done is left behind. */
export class ProvisionError extends Schema.TaggedError<ProvisionError>("solohub/ProvisionError")("ProvisionError", {
  reason: Schema.Literal("MigrationChanged", "MigrationFailed", "MigrationMissing", "StepFailed"),
  database: Schema.String,
  message: Schema.String
}) {}
