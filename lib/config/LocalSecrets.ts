/**
 * Passwords for the embedded default, generated once and kept in a 0600 file
 * under the solohub home. With an external server they come from configuration.
 */
import { Effect, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { ClusterError } from "../db/errors.ts"

export interface LocalSecrets {
  readonly superuserPassword: Redacted.Redacted<string>
  /** The embedded default's pseudonymization key (SOLOHUB_PSEUDONYM_KEY overrides it). */
  readonly pseudonymKey: Redacted.Redacted<string>
  readonly rolePasswords: Readonly<Record<string, Redacted.Redacted<string>>>
}

const generate = () => randomBytes(24).toString("base64url")

const fileOf = (home: string) => path.join(home, "secrets.json")

interface Stored {
  superuserPassword: string
  pseudonymKey?: string
  rolePasswords: Record<string, string>
}

const read = (file: string) =>
  Effect.tryPromise({
    try: async () => JSON.parse(await fs.readFile(file, "utf8")) as Stored,
    catch: (cause) => cause
  })

const write = (file: string, stored: Stored) =>
  Effect.tryPromise({
    try: async () => {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 })
      const tmp = `${file}.${process.pid}.tmp`
      await fs.writeFile(tmp, JSON.stringify(stored, null, 2), { mode: 0o600 })
      await fs.rename(tmp, file)
    },
    catch: (cause) =>
      new ClusterError({ reason: "InitFailed", message: `cannot write ${file}: ${String(cause)}` })
  })

/**
 * Reads the secrets file, creating it or adding passwords for new roles as
 * needed. Existing passwords never change.
 */
export const loadLocalSecrets = (home: string, roles: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const file = fileOf(home)
    const fresh: Stored = { superuserPassword: generate(), rolePasswords: {} }
    // Create-exclusive, so two first runs at once agree on one superuser password.
    yield* Effect.tryPromise(async () => {
      await fs.mkdir(home, { recursive: true, mode: 0o755 })
      await fs.writeFile(file, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: "wx" })
    }).pipe(Effect.ignore)
    const existing = yield* read(file).pipe(
      Effect.mapError((cause) =>
        new ClusterError({ reason: "InitFailed", message: `cannot read ${file}: ${String(cause)}` })
      )
    )
    existing.rolePasswords ??= {}
    let changed = false
    if (!existing.pseudonymKey) {
      existing.pseudonymKey = randomBytes(32).toString("base64url")
      changed = true
    }
    if (!existing.superuserPassword) {
      return yield* new ClusterError({ reason: "InitFailed", message: `${file} has no superuserPassword; restore it or remove the whole ${home} folder` })
    }
    for (const role of roles) {
      if (!existing.rolePasswords[role]) {
        existing.rolePasswords[role] = generate()
        changed = true
      }
    }
    if (changed) yield* write(file, existing)
    yield* Effect.tryPromise({ try: () => fs.chmod(file, 0o600), catch: () => undefined }).pipe(Effect.ignore)
    return {
      superuserPassword: Redacted.make(existing.superuserPassword),
      pseudonymKey: Redacted.make(existing.pseudonymKey),
      rolePasswords: Object.fromEntries(
        Object.entries(existing.rolePasswords).map(([role, password]) => [role, Redacted.make(password)])
      )
    } satisfies LocalSecrets
  })
