/** solohub/config: settings from the environment, and redaction for logs. */
export * from "./Redact.ts"
export * from "./Settings.ts"
