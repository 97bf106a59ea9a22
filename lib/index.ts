/** solohub: the SDK. Import a part by its entry point (`solohub/db`, …) or everything from here; a product app imports `solohub/product`. */
export * from "./config/index.ts"
export * from "./db/index.ts"
export * from "./ops/index.ts"
export * from "./cli/index.ts"
export * from "./pii/index.ts"
