import { describe, expect, it } from "@effect/vitest"
import { Option, Schema } from "effect"
import { columnsOf, pii, tagOf } from "./Pii.ts"

describe("PII tags", () => {
  it("are found on plain fields and absent on untagged ones", () => {
    const row = Schema.Struct({ email: pii("email")(Schema.String), clicks: Schema.Number })
    expect(columnsOf(row)).toEqual([
      { column: "email", field: "email", pii: "email", optional: false },
      { column: "clicks", field: "clicks", pii: null, optional: false }
    ])
  })

  it("survive transformations and refinements", () => {
    expect(Option.getOrNull(tagOf(pii("identifier")(Schema.NumberFromString)))).toBe("identifier")
    expect(Option.getOrNull(tagOf(Schema.NumberFromString.pipe(pii("identifier"), Schema.int())))).toBe("identifier")
    expect(Option.getOrNull(tagOf(pii("email")(Schema.String).pipe(Schema.minLength(3))))).toBe("email")
    expect(Option.getOrNull(tagOf(Schema.compose(Schema.Trim, pii("name")(Schema.String))))).toBe("name")
    expect(Option.getOrNull(tagOf(Schema.NumberFromString))).toBe(null)
  })

  it("survive nullable, optional and union wrappers", () => {
    const row = Schema.Struct({
      ip: Schema.NullOr(pii("ip")(Schema.String)),
      city: Schema.optional(pii("location")(Schema.String)),
      either: Schema.Union(Schema.Number, pii("phone")(Schema.String)),
      later: Schema.suspend(() => pii("free_text")(Schema.String))
    })
    expect(columnsOf(row).map((c) => [c.column, c.pii, c.optional])).toEqual([
      ["ip", "ip", false],
      ["city", "location", true],
      ["either", "phone", false],
      ["later", "free_text", false]
    ])
  })

  it("map renamed keys to their encoded column name", () => {
    const row = Schema.Struct({
      subscriberEmail: pii("email")(Schema.String).pipe(Schema.propertySignature, Schema.fromKey("subscriber_email")),
      openCount: Schema.NumberFromString.pipe(Schema.propertySignature, Schema.fromKey("open_count")),
      userId: pii("identifier")(Schema.NumberFromString).pipe(Schema.propertySignature, Schema.fromKey("user_id"))
    })
    expect(columnsOf(row).map((c) => [c.field, c.column, c.pii])).toEqual([
      ["subscriberEmail", "subscriber_email", "email"],
      ["openCount", "open_count", null],
      ["userId", "user_id", "identifier"]
    ])
  })

  it("may sit on the property signature itself", () => {
    const row = Schema.Struct({
      name: Schema.propertySignature(Schema.String).annotations({ [Symbol.for("solohub/pii")]: "name" })
    })
    expect(columnsOf(row)[0]!.pii).toBe("name")
  })
})
