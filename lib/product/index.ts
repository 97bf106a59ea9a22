/** solohub/product: what a product app imports to write its own data (users, sign-ups, events, payments). */
export { Event, InvalidRecord, make, Payment, Product, type ProductShape, Signup, User, Utm } from "./Product.ts"
export * as ProductTables from "./tables.ts"
