/**
 * One real PostgreSQL for the whole test run: the embedded server in a scratch
 * home (or an existing server when SOLOHUB_TEST_ADMIN_URL is set). Each test
 * file then provisions its own namespaced databases and roles on it.
 */
import { Effect, Option, Redacted } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { TestProject } from "vitest/node"
import { loadLocalSecrets } from "../../lib/config/LocalSecrets.ts"
import { embeddedSuperuser } from "../../lib/db/Cluster.ts"
import * as EmbeddedServer from "../../lib/db/EmbeddedServer.ts"

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string
  }
}

export default async function setup(project: TestProject) {
  const external = process.env.SOLOHUB_TEST_ADMIN_URL
  if (external !== undefined && external !== "") {
    project.provide("adminUrl", external)
    return
  }
  const home = path.resolve(".solohub", `test-${process.pid}`)
  await fs.rm(home, { recursive: true, force: true })
  const program = Effect.gen(function*() {
    const secrets = yield* loadLocalSecrets(home, [])
    const port = yield* EmbeddedServer.ensureRunning({
      home,
      superuser: embeddedSuperuser,
      superuserPassword: secrets.superuserPassword,
      port: Option.none(),
      settings: ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300"]
    })
    return `postgres://${embeddedSuperuser}:${encodeURIComponent(Redacted.value(secrets.superuserPassword))}@127.0.0.1:${port}/postgres`
  })
  project.provide("adminUrl", await Effect.runPromise(program))
  return async () => {
    await Effect.runPromise(EmbeddedServer.stop(home))
    await fs.rm(home, { recursive: true, force: true })
  }
}
