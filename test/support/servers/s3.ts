/** A local S3-compatible server (s3rver) for backup tests. */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import S3rver from "s3rver"

export interface LocalS3 {
  readonly endpoint: string
  readonly bucket: string
  readonly directory: string
  readonly close: () => Promise<void>
}

export const startLocalS3 = async (bucket = "solohub-backups"): Promise<LocalS3> => {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "solohub-s3-"))
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: bucket }] })
  const address = await server.run()
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    directory,
    close: async () => {
      await server.close()
      await fs.rm(directory, { recursive: true, force: true })
    }
  }
}
