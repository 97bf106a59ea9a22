/**
 * RFC 4180 CSV: quoted fields (with "" for a quote, and line breaks inside
 * quotes), CRLF or LF, an optional UTF-8 BOM. Each record keeps the line it
 * starts on, so an error can name it.
 */
export interface CsvRecord {
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`)
  }
}

export const parseCsv = (text: string): Array<CsvRecord> => {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const records: Array<CsvRecord> = []
  let fields: Array<string> = []
  let field = ""
  let quoted = false
  let line = 1
  let recordLine = 1
  let fieldStarted = false
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"'
          i++
        } else {
          quoted = false
          const next = input[i + 1]
          if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") throw new CsvSyntaxError(line, "text after a closing quote")
        }
      } else {
        if (c === "\n") line++
        field += c
      }
      continue
    }
    if (c === '"' && !fieldStarted) {
      quoted = true
      fieldStarted = true
    } else if (c === '"') {
      throw new CsvSyntaxError(line, "a quote inside an unquoted field")
    } else if (c === ",") {
      fields.push(field)
      field = ""
      fieldStarted = false
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && input[i + 1] === "\n") i++
      fields.push(field)
      if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields })
      fields = []
      field = ""
      fieldStarted = false
      line++
      recordLine = line
    } else {
      field += c
      fieldStarted = true
    }
  }
  if (quoted) throw new CsvSyntaxError(recordLine, "a quoted field is never closed")
  if (fieldStarted || fields.length > 0) {
    fields.push(field)
    records.push({ line: recordLine, fields })
  }
  return records
}
