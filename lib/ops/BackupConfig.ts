/**
 * Backup settings. Backups hold personal data, so they are encrypted with age
 * to recipients from configuration; the identity that decrypts them is never
 * on the server (the drill takes it from SOLOHUB_BACKUP_AGE_IDENTITY or a file
 * given on the command line). The embedded default alone generates a demo
 * identity under the solohub home so `npm run demo` can run a drill.
 */
import { generateIdentity, identityToRecipient } from "age-encryption"
import { Config, Effect, Option, Redacted } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { settingsConfig } from "../config/Settings.ts"
import { BackupError } from "./errors.ts"

export interface S3Settings {
  readonly endpoint: Option.Option<string>
  readonly region: string
  readonly bucket: string
  readonly prefix: string
  readonly accessKeyId: Redacted.Redacted<string>
  readonly secretAccessKey: Redacted.Redacted<string>
}

export interface BackupSettings {
  readonly directory: string
  readonly recipients: ReadonlyArray<string>
  readonly s3: Option.Option<S3Settings>
  readonly keep: { readonly daily: number; readonly weekly: number; readonly monthly: number }
}

const demoIdentityFile = (home: string) => path.join(home, "demo-backup-identity.txt")

/** The embedded default's demo identity (created once); never used with SOLOHUB_ADMIN_URL. */
export const demoIdentity = (home: string) =>
  Effect.promise(async () => {
    const file = demoIdentityFile(home)
    try {
      return (await fs.readFile(file, "utf8")).trim()
    } catch {
      const identity = await generateIdentity()
      await fs.mkdir(home, { recursive: true })
      await fs.writeFile(file, identity + "\n", { mode: 0o600, flag: "wx" }).catch(() => undefined)
      return (await fs.readFile(file, "utf8")).trim()
    }
  })

const count = (name: string, fallback: number) =>
  Config.integer(name).pipe(Config.withDefault(fallback), Config.validate({ message: `${name} must be 0 or more`, validation: (n) => n >= 0 }))

const s3Config = Config.all({
  endpoint: Config.option(Config.string("SOLOHUB_S3_ENDPOINT")),
  region: Config.string("SOLOHUB_S3_REGION").pipe(Config.withDefault("us-east-1")),
  bucket: Config.string("SOLOHUB_S3_BUCKET"),
  prefix: Config.string("SOLOHUB_S3_PREFIX").pipe(Config.withDefault("solohub/")),
  accessKeyId: Config.redacted("SOLOHUB_S3_ACCESS_KEY_ID"),
  secretAccessKey: Config.redacted("SOLOHUB_S3_SECRET_ACCESS_KEY")
})

export const backupSettings = Effect.gen(function*() {
  const settings = yield* settingsConfig
  const configured = yield* Config.option(Config.string("SOLOHUB_BACKUP_AGE_RECIPIENTS"))
  const recipients = yield* Option.match(configured, {
    onSome: (list) => Effect.succeed(list.split(",").map((r) => r.trim()).filter((r) => r !== "")),
    onNone: () =>
      Option.isNone(settings.adminUrl)
        ? Effect.map(Effect.flatMap(demoIdentity(settings.home), (id) => Effect.promise(() => identityToRecipient(id))), (r) => [r])
        : Effect.succeed([] as Array<string>)
  })
  if (recipients.length === 0 || recipients.some((r) => !r.startsWith("age1"))) {
    return yield* Effect.fail(
      new BackupError({ reason: "Config", message: "SOLOHUB_BACKUP_AGE_RECIPIENTS must list age recipients (age1…), comma-separated; keep the identity off the server" })
    )
  }
  const bucket = yield* Config.option(Config.string("SOLOHUB_S3_BUCKET"))
  const s3 = Option.isSome(bucket) ? Option.some(yield* s3Config) : Option.none()
  return {
    directory: path.resolve(yield* Config.string("SOLOHUB_BACKUP_DIR").pipe(Config.withDefault(path.join(settings.home, "backups")))),
    recipients,
    s3,
    keep: {
      daily: yield* count("SOLOHUB_BACKUP_KEEP_DAILY", 7),
      weekly: yield* count("SOLOHUB_BACKUP_KEEP_WEEKLY", 4),
      monthly: yield* count("SOLOHUB_BACKUP_KEEP_MONTHLY", 6)
    }
  } satisfies BackupSettings
})

/** The identity for decrypting: SOLOHUB_BACKUP_AGE_IDENTITY, a file, or (embedded default only) the demo identity. */
export const drillIdentity = (file: Option.Option<string>) =>
  Effect.gen(function*() {
    if (Option.isSome(file)) {
      const text = yield* Effect.tryPromise({ try: () => fs.readFile(file.value, "utf8"), catch: (e) => new BackupError({ reason: "Config", message: `cannot read the identity file ${file.value}: ${String(e)}` }) })
      const line = text.split("\n").map((l) => l.trim()).find((l) => l.startsWith("AGE-SECRET-KEY-"))
      if (line === undefined) return yield* new BackupError({ reason: "Config", message: `${file.value} holds no AGE-SECRET-KEY- line` })
      return Redacted.make(line)
    }
    const configured = yield* Config.option(Config.redacted("SOLOHUB_BACKUP_AGE_IDENTITY"))
    if (Option.isSome(configured)) return configured.value
    const settings = yield* settingsConfig
    if (Option.isNone(settings.adminUrl)) return Redacted.make(yield* demoIdentity(settings.home))
    return yield* new BackupError({ reason: "Config", message: "no decryption identity: set SOLOHUB_BACKUP_AGE_IDENTITY or pass --identity-file" })
  })
