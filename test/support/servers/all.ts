/**
 * Every source's local API at once, filled with the same generated small blog and newsletter, and the settings
 * that point solohub at them: what `npm run demo` and the ETL tests sync from.
 */
import { generateKeyPairSync } from "node:crypto"
import { startBing } from "./bing.ts"
import { igMedia, startInstagram } from "./instagram.ts"
import { startX, xPosts } from "./x.ts"
import { startYouTube, type YouTubeServer, ytVideos } from "./youtube.ts"
import { startClarity } from "./clarity.ts"
import { startGa4 } from "./ga4.ts"
import { newsletterFacts, type NewsletterSubscriber, startMailerLite } from "./mailerlite.ts"
import { blogFacts, type Fact, startSearchConsole } from "./searchConsole.ts"

export interface DemoSources {
  readonly config: Record<string, string>
  readonly facts: ReadonlyArray<Fact>
  readonly newsletter: ReadonlyArray<NewsletterSubscriber>
  /** The local YouTube, for tests that change a thumbnail or publish reach reports. */
  readonly youtube: YouTubeServer
  readonly close: () => Promise<void>
}

const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

export const startDemoSources = async (options: {
  readonly today: string
  readonly days: number
  readonly subscribers: number
  /** How far the first nightly sync reaches back (default: all `days`); the rest is left for a backfill. */
  readonly initialDays?: number
}): Promise<DemoSources> => {
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const siteUrl = "sc-domain:blog.example.com"
  const facts = blogFacts(shift(options.today, -1), options.days)
  const newsletter = newsletterFacts(options.subscribers)
  const gsc = await startSearchConsole({ sites: [siteUrl], publicKey: keys.publicKey, facts, finalUntil: shift(options.today, -3) })
  const ga4 = await startGa4({ propertyId: "123456789", publicKey: keys.publicKey, facts })
  const clarity = await startClarity({ tokens: { blog: "demo-clarity-token" }, facts, today: options.today })
  const mailerlite = await startMailerLite({ token: "demo-mailerlite-token", subscribers: [...newsletter], perMinute: 100_000 })
  const bing = await startBing({ apiKey: "demo-bing-key", sites: ["https://blog.example.com/"], facts })
  const youtube = await startYouTube({ channelId: "UCsolohub0000000000000a", refreshToken: "1//demo-youtube", publicKey: keys.publicKey, videos: ytVideos(shift(options.today, -2), 12), today: options.today })
  const instagram = await startInstagram({ token: "demo-instagram-token", userId: "17841400000000000", media: igMedia(shift(options.today, -1), 30) })
  const x = await startX({ token: "demo-x-token", userId: "2244994945", posts: xPosts("2244994945", shift(options.today, -1), 80) })
  const key = JSON.stringify({ client_email: "demo@solohub.iam.gserviceaccount.com", private_key: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString() })
  return {
    facts,
    newsletter,
    youtube,
    config: {
      SOLOHUB_GSC_SITES: `blog=${siteUrl}`,
      SOLOHUB_GSC_SERVICE_ACCOUNT_JSON: key,
      SOLOHUB_GSC_BASE_URL: gsc.url,
      SOLOHUB_GSC_TOKEN_URL: gsc.tokenUrl,
      SOLOHUB_GSC_INITIAL_DAYS: String(options.initialDays ?? options.days),
      SOLOHUB_GA4_PROPERTIES: "blog=123456789",
      SOLOHUB_GA4_SERVICE_ACCOUNT_JSON: key,
      SOLOHUB_GA4_BASE_URL: ga4.url,
      SOLOHUB_GA4_TOKEN_URL: ga4.tokenUrl,
      SOLOHUB_GA4_INITIAL_DAYS: String(options.initialDays ?? options.days),
      SOLOHUB_CLARITY_PROJECTS: "blog",
      SOLOHUB_CLARITY_TOKEN_BLOG: "demo-clarity-token",
      SOLOHUB_CLARITY_BASE_URL: clarity.url,
      SOLOHUB_MAILERLITE_TOKEN: "demo-mailerlite-token",
      SOLOHUB_MAILERLITE_BASE_URL: mailerlite.url,
      SOLOHUB_BING_SITES: "blog=https://blog.example.com/",
      SOLOHUB_BING_API_KEY: "demo-bing-key",
      SOLOHUB_BING_BASE_URL: bing.url,
      SOLOHUB_X_USER_ID: "2244994945",
      SOLOHUB_X_BEARER_TOKEN: "demo-x-token",
      SOLOHUB_X_BASE_URL: x.url,
      SOLOHUB_INSTAGRAM_USER_ID: "17841400000000000",
      SOLOHUB_INSTAGRAM_ACCESS_TOKEN: "demo-instagram-token",
      SOLOHUB_INSTAGRAM_BASE_URL: instagram.url,
      SOLOHUB_YOUTUBE_CHANNEL_ID: "UCsolohub0000000000000a",
      SOLOHUB_YOUTUBE_CLIENT_ID: "demo.apps.googleusercontent.com",
      SOLOHUB_YOUTUBE_CLIENT_SECRET: "demo-youtube-secret",
      SOLOHUB_YOUTUBE_REFRESH_TOKEN: "1//demo-youtube",
      SOLOHUB_YOUTUBE_DATA_BASE_URL: youtube.url,
      SOLOHUB_YOUTUBE_ANALYTICS_BASE_URL: youtube.analyticsUrl,
      SOLOHUB_YOUTUBE_REPORTING_BASE_URL: youtube.reportingUrl,
      SOLOHUB_YOUTUBE_TOKEN_URL: youtube.tokenUrl,
      SOLOHUB_YOUTUBE_INITIAL_DAYS: String(options.initialDays ?? options.days)
    },
    close: async () => {
      await Promise.all([gsc.close(), ga4.close(), clarity.close(), mailerlite.close(), bing.close(), x.close(), instagram.close(), youtube.close()])
    }
  }
}
