/** Google's OAuth token endpoint as the local API servers speak it: JWT-bearer and refresh-token grants. */
import { createVerify, type KeyObject } from "node:crypto"

export interface TokenIssuer {
  /** Answers a POST /token form: status and JSON body. */
  readonly grant: (form: URLSearchParams, audience: string) => { status: number; body: string }
  readonly valid: (authorization: string | undefined) => boolean
  readonly revokeAll: () => void
}

export const tokenIssuer = (publicKey: KeyObject, refreshToken?: string): TokenIssuer => {
  let issued = new Set<string>()
  let counter = 0
  const error = (description: string) => ({ status: 400, body: JSON.stringify({ error: "invalid_grant", error_description: description }) })
  return {
    grant: (form, audience) => {
      const grant = form.get("grant_type")
      if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        const [h, c, s] = (form.get("assertion") ?? "").split(".")
        if (h === undefined || c === undefined || s === undefined) return error("Invalid JWT.")
        if (!createVerify("RSA-SHA256").update(`${h}.${c}`).verify(publicKey, Buffer.from(s, "base64url"))) return error("Invalid JWT Signature.")
        const claims = JSON.parse(Buffer.from(c, "base64url").toString()) as { aud?: string; iat?: number; exp?: number }
        if (claims.aud !== audience) return error("Invalid JWT: Failed audience check.")
        if ((claims.exp ?? 0) - (claims.iat ?? 0) > 3600) return error("Invalid JWT: Token must be a short-lived token (60 minutes).")
      } else if (grant === "refresh_token") {
        if (refreshToken === undefined || form.get("refresh_token") !== refreshToken) return error("Token has been expired or revoked.")
      } else return { status: 400, body: JSON.stringify({ error: "unsupported_grant_type" }) }
      const token = `ya29.test-${++counter}`
      issued.add(token)
      return { status: 200, body: JSON.stringify({ access_token: token, expires_in: 3599, token_type: "Bearer" }) }
    },
    valid: (authorization) => issued.has((authorization ?? "").replace(/^Bearer /, "")),
    revokeAll: () => (issued = new Set())
  }
}
