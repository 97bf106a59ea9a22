/** solohub/pii: PII annotations, table definitions, the firewall's derivations, pseudonymization. */
export * from "./Pii.ts"
export * as Table from "./Table.ts"
export * from "./Firewall.ts"
export * from "./Pseudonymize.ts"
