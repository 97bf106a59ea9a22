/**
 * SCRAM-SHA-256 verifiers computed client-side, so a role's password is never
 * sent to the server in the clear (it cannot reach the server log or
 * pg_stat_statements) and quotes in it need no escaping.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"

const iterationsDefault = 4096

const derive = (password: string, salt: Buffer, iterations: number) => {
  const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256")
  const clientKey = createHmac("sha256", salted).update("Client Key").digest()
  const storedKey = createHash("sha256").update(clientKey).digest()
  const serverKey = createHmac("sha256", salted).update("Server Key").digest()
  return { storedKey, serverKey }
}

/** Builds the `SCRAM-SHA-256$iter:salt$StoredKey:ServerKey` string Postgres stores. */
export const verifier = (password: Redacted.Redacted<string>, salt = randomBytes(16), iterations = iterationsDefault): string => {
  const { storedKey, serverKey } = derive(Redacted.value(password), salt, iterations)
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`
}

const verifierPattern = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/

/** True when a stored verifier was made from this password (so provisioning can leave it alone). */
export const matches = (stored: string | null, password: Redacted.Redacted<string>): boolean => {
  const parts = stored === null ? null : verifierPattern.exec(stored)
  if (parts === null) return false
  const [, iterations, salt, storedKey, serverKey] = parts as unknown as [string, string, string, string, string]
  const derived = derive(Redacted.value(password), Buffer.from(salt, "base64"), Number(iterations))
  const expected = Buffer.concat([Buffer.from(storedKey, "base64"), Buffer.from(serverKey, "base64")])
  const actual = Buffer.concat([derived.storedKey, derived.serverKey])
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
