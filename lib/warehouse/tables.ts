/**
 * Warehouse models: what the assistant (mcp_ro) reads (sql/hub/0080_warehouse.sql holds the table and column
 * comments a model reads). No column here may hold raw personal data: people appear as keyed pseudonyms only.
 * Views are defined here too, so the assistant's column grants cover them.
 */
import { Schema } from "effect"
import * as Table from "../pii/Table.ts"

const n = Schema.Number
const nn = Schema.NullOr(Schema.Number)
const text = Schema.NullOr(Schema.String)
const day = Schema.DateFromSelf

const model = <Fields extends Schema.Struct.Fields>(name: string, description: string, fields: Fields, key: ReadonlyArray<string> = []) =>
  Table.make({ database: "hub", schema: "warehouse", name, description, row: Schema.Struct(fields), key })

export const dataFreshness = model("data_freshness", "Per source and property: the newest day of data loaded, how many rows, and when its sync last succeeded.", {
  source: Schema.String,
  property: Schema.String,
  newest_day: Schema.NullOr(day),
  rows_loaded: Schema.NumberFromString,
  last_success_at: Schema.NullOr(day),
  refreshed_at: day
}, ["source", "property"])

export const pageDaily = model("page_daily", "Search, analytics and behaviour per site, day and page path.", {
  property: Schema.String, date: day, page_path: Schema.String,
  search_impressions: Schema.NumberFromString, search_clicks: Schema.NumberFromString, search_position_sum: n,
  views: n, active_users: n, engagement_seconds: n, key_events: n,
  behaviour_sessions: nn, scroll_depth_avg: nn, rage_clicks: nn, dead_clicks: nn, quickbacks: nn, script_errors: nn
}, ["property", "date", "page_path"])

export const searchQueryDaily = model("search_query_daily", "Google Search per site, day, page path and query.", {
  property: Schema.String, date: day, page_path: Schema.String, query: Schema.String,
  impressions: Schema.NumberFromString, clicks: Schema.NumberFromString, position: nn
}, ["property", "date", "page_path", "query"])

export const trafficDaily = model("traffic_daily", "GA4 sessions per site and day by source, medium and campaign.", {
  property: Schema.String, date: day, source: Schema.String, medium: Schema.String, campaign: Schema.String,
  sessions: n, engaged_sessions: n, key_events: n
}, ["property", "date", "source", "medium", "campaign"])

export const signups = model("signups", "Product sign-ups with their acquisition, by pseudonymous person key.", {
  product: Schema.String, person_key: Schema.String, signed_up_on: day, plan: text,
  utm_source: text, utm_medium: text, utm_campaign: text, landing_page: text, video_id: text
}, ["product", "person_key"])

export const revenueDaily = model("revenue_daily", "Payments per product, day and currency.", {
  product: Schema.String, date: day, currency: Schema.String, payments: n, succeeded_cents: Schema.NumberFromString, refunded_cents: Schema.NumberFromString
}, ["product", "date", "currency"])

export const subscribers = model("subscribers", "Newsletter subscribers, pseudonymized, with engagement and segment.", {
  account: Schema.String, person_key: Schema.String, status: Schema.String, source: text, subscribed_on: Schema.NullOr(day),
  sent: n, opens: n, clicks: n, open_rate_pct: n, click_rate_pct: n, deleted: Schema.Boolean
}, ["account", "person_key"])

export const campaigns = model("campaigns", "Sent newsletter campaigns with their statistics.", {
  account: Schema.String, campaign_id: Schema.String, name: Schema.String, subject: text, sent_on: Schema.NullOr(day),
  sent: n, unique_opens: n, unique_clicks: n, unsubscribes: n, open_rate: n, click_rate: n
}, ["account", "campaign_id"])

export const etlCursors = model("etl_cursors", "How far the nightly ETL has read each input of each model.", {
  model: Schema.String, input: Schema.String, position: Schema.String, updated_at: day
}, ["model", "input"])

// The named questions (security_invoker views).
export const pageScorecard28d = model("page_scorecard_28d", "The page scorecard over the last 28 days.", {
  property: Schema.String, page_path: Schema.String, impressions: n, clicks: n, ctr: nn, avg_position: nn, views: n,
  engagement_seconds_per_view: nn, key_events: n, behaviour_sessions: nn, scroll_depth_avg: nn, rage_clicks: nn, dead_clicks: nn,
  quickbacks: nn, signups: n, bing_impressions: nn, bing_clicks: nn
})
export const bingPageWeekly = model("bing_page_weekly", "Bing search per site, week and page path.", {
  property: Schema.String, date: day, page_path: Schema.String, clicks: Schema.NumberFromString, impressions: Schema.NumberFromString, position_sum: n
}, ["property", "date", "page_path"])
export const pagesWithoutClicks = model("pages_without_clicks", "Pages with impressions but (almost) no clicks, last 28 days.", {
  property: Schema.String, page_path: Schema.String, impressions: n, clicks: n, ctr: nn, avg_position: nn
})
export const seoOpportunities = model("seo_opportunities", "Queries ranking just outside the top five, with the gain at a top-three CTR.", {
  property: Schema.String, page_path: Schema.String, query: Schema.String, impressions: n, clicks: n, avg_position: nn, ctr: nn,
  top3_ctr: n, extra_clicks_at_top3: n
})
export const subscriberSegments = model("subscriber_segments", "Each current subscriber with its segment.", {
  account: Schema.String, person_key: Schema.String, status: Schema.String, source: text, subscribed_on: Schema.NullOr(day),
  sent: n, opens: n, clicks: n, segment: Schema.String
})
export const newsletterSegments = model("newsletter_segments", "Subscribers by segment and source.", {
  account: Schema.String, segment: Schema.String, source: Schema.String, subscribers: n, opens: n, clicks: n
})
export const crossProductOverlap = model("cross_product_overlap", "Sign-ups per product and month who are also subscribers.", {
  product: Schema.String, month: day, signups: n, also_subscribers: n, share_subscribed: n
})
export const acquisition = model("acquisition", "Sign-ups by source/medium/campaign and video id.", {
  product: Schema.String, source: Schema.String, medium: Schema.String, campaign: Schema.String, video_id: text, signups: n,
  first_signup: day, last_signup: day, video_title: text
})
export const videos = model("videos", "The channel's videos with their current title.", {
  video_id: Schema.String, channel_id: Schema.String, title: Schema.String, published_on: day, views: nn, likes: nn, comments: nn
}, ["video_id"])
export const videoDaily = model("video_daily", "Per video and day: views, watch time, subscribers, thumbnail impressions and CTR.", {
  property: Schema.String, date: day, video_id: Schema.String, views: nn, watch_minutes: nn, subscribers_gained: nn, impressions: nn, impressions_ctr: nn
}, ["property", "date", "video_id"])
export const videoTitles = model("video_titles", "Every title of each video.", { video_id: Schema.String, title: Schema.String, seen_from: day }, ["video_id", "seen_from"])
export const thumbnailChanges = model("thumbnail_changes", "Thumbnail changes.", { video_id: Schema.String, changed_at: day }, ["video_id", "changed_at"])
export const thumbnailEffect = model("thumbnail_effect", "Click-through, impressions and views before and after each thumbnail change.", {
  video_id: Schema.String, title: text, changed_at: day, days_before: n, days_after: n, ctr_before: nn, ctr_after: nn,
  impressions_per_day_before: nn, impressions_per_day_after: nn, views_per_day_before: nn, views_per_day_after: nn
})
export const videoPerformance28d = model("video_performance_28d", "Each video over the last 28 days: views, watch time, impressions, CTR.", {
  video_id: Schema.String, title: Schema.String, published_on: day, views: nn, watch_minutes: nn, subscribers_gained: nn, impressions: nn, ctr: nn,
  titles: n, thumbnail_changes: n
})

export const financeMonthly = model("finance_monthly", "Income and fixed costs by month and category.", {
  month: day, kind: Schema.String, category: Schema.String, currency: Schema.String, amount_cents: Schema.NumberFromString
}, ["month", "kind", "category", "currency"])
export const deals = model("deals", "Consulting deals without the client.", {
  deal_id: Schema.String, stage: Schema.String, value_cents: Schema.NumberFromString, currency: Schema.String, source_channel: text,
  opened_on: day, closed_on: Schema.NullOr(day)
}, ["deal_id"])
export const pnlMonthly = model("pnl_monthly", "The P&L per month.", {
  month: day, currency: Schema.String, income_cents: n, fixed_costs_cents: n, profit_cents: n, product_payments_net_cents: n
})
export const dealsByChannel = model("deals_by_channel", "Consulting deals by channel.", {
  channel: Schema.String, deals: n, won: n, won_value_cents: nn, open: n, first_opened: day, last_opened: day
})

export const socialPosts = model("social_posts", "The founder's social posts with their metrics.", {
  platform: Schema.String, account: Schema.String, post_id: Schema.String, thread_id: Schema.String, is_thread_reply: Schema.Boolean,
  posted_on: day, impressions: nn, likes: n, replies: n, reposts: n, quotes: n, bookmarks: nn
}, ["platform", "account", "post_id"])
export const socialThreads = model("social_threads", "Social performance per thread.", {
  platform: Schema.String, account: Schema.String, thread_id: Schema.String, posted_on: day, posts: n, impressions: nn, likes: n,
  replies: n, reposts: n, engagement_rate: nn
})

export const warehouseTables: ReadonlyArray<Table.AnyTable> = [
  socialPosts, socialThreads, videos, videoDaily, videoTitles, thumbnailChanges, thumbnailEffect, videoPerformance28d,
  financeMonthly, deals, pnlMonthly, dealsByChannel, bingPageWeekly,
  dataFreshness, pageDaily, searchQueryDaily, trafficDaily, signups, revenueDaily, subscribers, campaigns, etlCursors,
  pageScorecard28d, pagesWithoutClicks, seoOpportunities, subscriberSegments, newsletterSegments, crossProductOverlap, acquisition
]

/** The relations the assistant is pointed at (views first: they answer the named questions). */
export const namedQuestionViews = [pageScorecard28d, pagesWithoutClicks, seoOpportunities, newsletterSegments, crossProductOverlap, acquisition]
