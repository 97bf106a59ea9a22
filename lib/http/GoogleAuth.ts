/**
 * Google OAuth2 for server-to-server calls: the service-account JWT grant
 * (RS256-signed assertion) or the refresh-token grant, tokens cached until a
 * minute before they expire. The token endpoint is configurable for tests and
 * proxies. Grant errors (400 invalid_grant…) are configuration errors: never retried.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Config, ConfigError, Effect, Either, Redacted, Ref, Schema } from "effect"
import { createSign } from "node:crypto"
import type { Auth } from "./Request.ts"
import { SourceError } from "./SourceError.ts"

export const ServiceAccountKey = Schema.Struct({
  client_email: Schema.String,
  private_key: Schema.String,
  private_key_id: Schema.optional(Schema.String),
  token_uri: Schema.optional(Schema.String)
})
export type ServiceAccountKey = typeof ServiceAccountKey.Type

export type GoogleCredentials =
  | { readonly _tag: "ServiceAccount"; readonly key: Redacted.Redacted<ServiceAccountKey> }
  | { readonly _tag: "RefreshToken"; readonly clientId: string; readonly clientSecret: Redacted.Redacted<string>; readonly refreshToken: Redacted.Redacted<string> }

const TokenResponse = Schema.Struct({ access_token: Schema.String, expires_in: Schema.Number, token_type: Schema.optional(Schema.String) })

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url")

/** The signed JWT assertion of the service-account grant. */
export const assertion = (key: ServiceAccountKey, scopes: ReadonlyArray<string>, audience: string, now = Date.now()) => {
  const iat = Math.floor(now / 1000)
  const header = { alg: "RS256", typ: "JWT", ...(key.private_key_id ? { kid: key.private_key_id } : {}) }
  const claims = { iss: key.client_email, scope: scopes.join(" "), aud: audience, iat, exp: iat + 3600 }
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  const signature = createSign("RSA-SHA256").update(unsigned).sign(key.private_key)
  return `${unsigned}.${base64url(signature)}`
}

export const googleAuth = (options: {
  readonly source: string
  readonly credentials: GoogleCredentials
  readonly scopes: ReadonlyArray<string>
  readonly tokenUrl: string
}): Effect.Effect<Auth, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const cache = yield* Ref.make<{ token: string; expiresAt: number } | null>(null)
    const fail = (message: string) => new SourceError({ source: options.source, stream: "auth", reason: "Config", message: `${options.source}: ${message}` })
    const fetchToken = Effect.gen(function*() {
      const form = options.credentials._tag === "ServiceAccount"
        ? {
          grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          assertion: assertion(Redacted.value(options.credentials.key), options.scopes, options.tokenUrl)
        }
        : {
          grant_type: "refresh_token",
          client_id: options.credentials.clientId,
          client_secret: Redacted.value(options.credentials.clientSecret),
          refresh_token: Redacted.value(options.credentials.refreshToken)
        }
      const response = yield* client.execute(HttpClientRequest.post(options.tokenUrl).pipe(HttpClientRequest.bodyUrlParams(form))).pipe(
        Effect.flatMap((r) => Effect.map(r.text, (text) => ({ status: r.status, text }))),
        Effect.timeout("20 seconds"),
        Effect.mapError((e) => new SourceError({ source: options.source, stream: "auth", reason: "Network", message: `${options.source}: token endpoint unreachable (${e._tag})` }))
      )
      if (response.status !== 200) {
        // The body names the grant error (invalid_grant, invalid_scope); it holds no secret.
        return yield* fail(`the token endpoint refused the credentials (HTTP ${response.status}: ${response.text.slice(0, 200)})`)
      }
      const parsed = Either.try(() => JSON.parse(response.text) as unknown)
      const decoded = Either.isRight(parsed) ? Schema.decodeUnknownEither(TokenResponse)(parsed.right) : parsed
      if (Either.isLeft(decoded)) return yield* fail("the token endpoint answered with no access_token")
      const token = decoded.right.access_token
      yield* Ref.set(cache, { token, expiresAt: Date.now() + (decoded.right.expires_in - 60) * 1000 })
      return token
    })
    return {
      token: Effect.flatMap(Ref.get(cache), (cached) => (cached !== null && cached.expiresAt > Date.now() ? Effect.succeed(cached.token) : fetchToken)),
      invalidate: Ref.set(cache, null)
    } satisfies Auth
  })

/**
 * Credentials for a Google source from SOLOHUB_<PREFIX>_SERVICE_ACCOUNT_JSON (the
 * key file's JSON), or else SOLOHUB_<PREFIX>_CLIENT_ID/_CLIENT_SECRET/_REFRESH_TOKEN.
 */
export const googleCredentialsConfig = (prefix: string): Config.Config<GoogleCredentials> => {
  const variable = `SOLOHUB_${prefix}_SERVICE_ACCOUNT_JSON`
  return Config.redacted(variable).pipe(
    Config.mapOrFail((json) => {
      const parsed = Either.try(() => JSON.parse(Redacted.value(json)) as unknown)
      const key = Either.isRight(parsed) ? Schema.decodeUnknownEither(ServiceAccountKey)(parsed.right) : parsed
      return Either.isLeft(key)
        ? Either.left(ConfigError.InvalidData([variable], `${variable}: not a service-account key (needs client_email and private_key)`))
        : Either.right<GoogleCredentials>({ _tag: "ServiceAccount", key: Redacted.make(key.right) })
    }),
    Config.orElse(() =>
      Config.all({
        clientId: Config.string(`SOLOHUB_${prefix}_CLIENT_ID`),
        clientSecret: Config.redacted(`SOLOHUB_${prefix}_CLIENT_SECRET`),
        refreshToken: Config.redacted(`SOLOHUB_${prefix}_REFRESH_TOKEN`)
      }).pipe(Config.map((c): GoogleCredentials => ({ _tag: "RefreshToken", ...c })))
    )
  )
}
