/**
 * PII annotations on Effect Schemas. A field tagged `pii("email")` holds
 * personal data; the tag survives refinements and transformations
 * (`pii("identifier")(Schema.NumberFromString)`), and renamed keys map to
 * their encoded (column) name. From these tags come the PII catalog, the
 * assistant's column grants, and what the ETL must pseudonymize or drop.
 */
import { Option, Schema, SchemaAST } from "effect"

/** The kinds of personal data solohub tells apart. */
export const piiKinds = [
  "email",
  "name",
  "ip",
  "free_text",
  "identifier",
  "location",
  "phone",
  "username",
  "address",
  "financial"
] as const
export const PiiKind = Schema.Literal(...piiKinds)
export type PiiKind = typeof PiiKind.Type

/** The annotation key (a symbol, as `SchemaAST.getAnnotation` requires). */
export const PiiAnnotationId: unique symbol = Symbol.for("solohub/pii")

/** Tags a schema as personal data of a kind. */
export const pii = (kind: PiiKind) => <S extends Schema.Schema.Any>(self: S): S =>
  self.annotations({ [PiiAnnotationId]: kind }) as S

const own = (annotations: SchemaAST.Annotations): PiiKind | undefined => {
  const value = annotations[PiiAnnotationId]
  return typeof value === "string" ? (value as PiiKind) : undefined
}

/** Finds a PII tag anywhere along a field's schema: refinements, transformations, unions, suspensions. */
export const findTag = (ast: SchemaAST.AST, seen = new Set<SchemaAST.AST>()): PiiKind | undefined => {
  if (seen.has(ast)) return undefined
  seen.add(ast)
  const direct = own(ast.annotations)
  if (direct !== undefined) return direct
  switch (ast._tag) {
    case "Refinement":
      return findTag(ast.from, seen)
    case "Transformation":
      return findTag(ast.to, seen) ?? findTag(ast.from, seen)
    case "Union":
      for (const member of ast.types) {
        const tag = findTag(member, seen)
        if (tag !== undefined) return tag
      }
      return undefined
    case "Suspend":
      return findTag(ast.f(), seen)
    case "Declaration":
      for (const parameter of ast.typeParameters) {
        const tag = findTag(parameter, seen)
        if (tag !== undefined) return tag
      }
      return undefined
    default:
      return undefined
  }
}

/** A column of a table schema: its name in the database and its PII kind, if any. */
export interface Column {
  readonly column: string
  readonly field: string
  readonly pii: PiiKind | null
  readonly optional: boolean
}

const propertyColumn = (field: string, value: Schema.Struct.Field): Column => {
  if (Schema.isPropertySignature(value)) {
    const ast = value.ast
    if (ast instanceof Schema.PropertySignatureTransformation) {
      const tag = own(ast.from.annotations) ?? own(ast.to.annotations) ?? findTag(ast.from.type) ?? findTag(ast.to.type)
      return {
        column: String(ast.from.fromKey ?? field),
        field,
        pii: tag ?? null,
        optional: ast.from.isOptional
      }
    }
    const tag = own(ast.annotations) ?? findTag(ast.type)
    return { column: field, field, pii: tag ?? null, optional: ast.isOptional }
  }
  return { column: field, field, pii: findTag(value.ast) ?? null, optional: false }
}

/** The columns of a struct schema, with renamed keys mapped to their encoded names. */
export const columnsOf = <Fields extends Schema.Struct.Fields>(struct: Schema.Struct<Fields>): ReadonlyArray<Column> =>
  Object.entries(struct.fields as Schema.Struct.Fields).map(([field, value]) => propertyColumn(field, value))

/** The PII kind of a schema itself (for a value, not a struct field). */
export const tagOf = (schema: Schema.Schema.Any): Option.Option<PiiKind> => Option.fromNullable(findTag(schema.ast))
