/**
 * Quoting for the few statements Postgres cannot parameterize (CREATE ROLE,
 * GRANT, ALTER ROLE … SET). Everything else uses bound parameters.
 */

/** Quotes an identifier: `my"role` becomes `"my""role"`. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** Quotes a string literal; backslashes are doubled and the E'' form used when present. */
export const literal = (value: string): string => {
  if (value.includes("\u0000")) throw new Error("a NUL character cannot appear in a Postgres literal")
  const body = value.replaceAll("'", "''")
  return body.includes("\\") ? `E'${body.replaceAll("\\", "\\\\")}'` : `'${body}'`
}
