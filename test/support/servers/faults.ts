/**
 * Fault injection shared by every local API: a queue of faults, one taken per
 * API request (token requests excepted). Each server decides what a "wrong
 * type" means for its own payloads.
 */
import type * as http from "node:http"

export type Fault =
  | { readonly kind: "status"; readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  /** A 200 whose JSON is cut in half. */
  | { readonly kind: "truncate" }
  /** A 200 where one field has an unexpected type. */
  | { readonly kind: "wrong-type" }
  /** The connection is dropped without an answer. */
  | { readonly kind: "reset" }
  /** Answer normally (a placeholder, to place a later fault on a given request). */
  | { readonly kind: "pass" }
  /** Never answer: the caller is left waiting, as when a process dies mid-run or a proxy stalls. */
  | { readonly kind: "hang" }

/**
 * Applies the faults that replace the answer (status, reset, hang). Returns
 * true when the request was handled; truncate/wrong-type are applied by
 * `deliver` once the real body exists.
 */
export const interrupts = (fault: Fault | undefined, req: http.IncomingMessage, res: http.ServerResponse, errorBody: (status: number) => string, contentType = "application/json") => {
  if (fault === undefined) return false
  if (fault.kind === "status") {
    res.writeHead(fault.status, { "content-type": contentType, ...fault.headers }).end(fault.body ?? errorBody(fault.status))
    return true
  }
  if (fault.kind === "reset") {
    req.socket.destroy()
    return true
  }
  return fault.kind === "hang"
}

/** Sends a 200 body, cut or mutated when the fault says so. */
export const deliver = (
  fault: Fault | undefined,
  res: http.ServerResponse,
  text: string,
  wrongType: (text: string) => string,
  headers: Record<string, string> = {}
) => {
  const body = fault?.kind === "truncate" ? text.slice(0, Math.floor(text.length / 2)) : fault?.kind === "wrong-type" ? wrongType(text) : text
  res.writeHead(200, { "content-type": "application/json", ...headers }).end(body)
}
