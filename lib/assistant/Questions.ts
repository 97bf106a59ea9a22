/**
 * The founder's named questions: one query each over the warehouse's views,
 * the same for the MCP server (`ask` tool) and `npm run ask`.
 */
export interface Question {
  readonly name: string
  readonly title: string
  readonly sql: string
}

export const questions: ReadonlyArray<Question> = [
  {
    name: "page-scorecard",
    title: "Page scorecard, last 28 days: Google and Bing search, behaviour, friction and sign-ups per page",
    sql: `SELECT property, page_path, impressions, clicks, ctr, avg_position, bing_impressions, bing_clicks, views, engagement_seconds_per_view,
                 rage_clicks, dead_clicks, quickbacks, scroll_depth_avg, signups
            FROM warehouse.page_scorecard_28d ORDER BY impressions DESC, page_path`
  },
  {
    name: "pages-without-clicks",
    title: "Pages with impressions but (almost) no clicks, last 28 days",
    sql: `SELECT property, page_path, impressions, clicks, ctr, avg_position FROM warehouse.pages_without_clicks ORDER BY impressions DESC, page_path`
  },
  {
    name: "seo-opportunities",
    title: "SEO opportunities: queries just outside the top five, most impressions first, with the gain at a top-three CTR",
    sql: `SELECT property, page_path, query, impressions, clicks, avg_position, ctr, top3_ctr, extra_clicks_at_top3
            FROM warehouse.seo_opportunities ORDER BY impressions DESC, page_path, query LIMIT 25`
  },
  {
    name: "newsletter-segments",
    title: "Newsletter subscribers by segment and by source",
    sql: `SELECT account, segment, sum(subscribers) AS subscribers, sum(opens) AS opens, sum(clicks) AS clicks,
                 string_agg(source || ': ' || subscribers, ', ' ORDER BY subscribers DESC, source) AS by_source
            FROM warehouse.newsletter_segments GROUP BY account, segment ORDER BY account, sum(subscribers) DESC, segment`
  },
  {
    name: "cross-product-overlap",
    title: "Sign-ups per product and month who are also newsletter subscribers",
    sql: `SELECT product, month, signups, also_subscribers, share_subscribed FROM warehouse.cross_product_overlap ORDER BY product, month`
  },
  {
    name: "acquisition",
    title: "Sign-ups by source / medium / campaign and by YouTube video id",
    sql: `SELECT product, source, medium, campaign, video_id, video_title, signups, first_signup, last_signup
            FROM warehouse.acquisition ORDER BY product, signups DESC, source, medium, campaign, video_id NULLS FIRST`
  },
  {
    name: "social-threads",
    title: "Social posts and threads of the last 30 days, by impressions",
    sql: `SELECT platform, posted_on, posts, impressions, likes, replies, reposts, engagement_rate, thread_id
            FROM warehouse.social_threads WHERE posted_on > current_date - 30 ORDER BY impressions DESC NULLS LAST, posted_on DESC LIMIT 25`
  },
  {
    name: "thumbnail-effect",
    title: "Thumbnail changes: the video's click-through rate, impressions and views per day the week before and after",
    sql: `SELECT video_id, title, changed_at, days_before, days_after, ctr_before, ctr_after, impressions_per_day_before, impressions_per_day_after,
                   views_per_day_before, views_per_day_after
            FROM warehouse.thumbnail_effect ORDER BY changed_at DESC`
  },
  {
    name: "video-performance",
    title: "Each video over the last 28 days: views, watch time, subscribers, thumbnail impressions and click-through rate",
    sql: `SELECT video_id, title, published_on, views, watch_minutes, subscribers_gained, impressions, ctr, titles, thumbnail_changes
            FROM warehouse.video_performance_28d ORDER BY views DESC NULLS LAST, video_id`
  },
  {
    name: "pnl",
    title: "The P&L per month: income, fixed costs, profit, and the products' net payments",
    sql: `SELECT month, currency, round(income_cents / 100.0, 2) AS income, round(fixed_costs_cents / 100.0, 2) AS fixed_costs,
                 round(profit_cents / 100.0, 2) AS profit, round(product_payments_net_cents / 100.0, 2) AS product_payments_net
            FROM warehouse.pnl_monthly ORDER BY month DESC, currency`
  },
  {
    name: "deals-by-channel",
    title: "Consulting deals by the channel that brought the client",
    sql: `SELECT channel, deals, won, round(won_value_cents / 100.0, 2) AS won_value, open, first_opened, last_opened
            FROM warehouse.deals_by_channel ORDER BY won_value_cents DESC NULLS LAST, deals DESC, channel`
  },
  {
    name: "data-freshness",
    title: "Per source: the newest day loaded and the last successful load",
    sql: `SELECT source, property, newest_day, rows_loaded, last_success_at FROM warehouse.data_freshness ORDER BY source, property`
  }
]

export const questionNames = questions.map((q) => q.name)
