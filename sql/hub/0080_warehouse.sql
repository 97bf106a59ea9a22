-- The warehouse (lib/warehouse/tables.ts): what the assistant (mcp_ro) reads, built by `npm run etl` as
-- warehouse_writer. No column holds raw personal data: people appear only as keyed pseudonyms (person_key).
-- Names of properties (sites) are solohub's own (the same name in every source's settings: "blog").

CREATE TABLE warehouse.page_daily (
  property text NOT NULL, date date NOT NULL, page_path text NOT NULL,
  search_impressions bigint NOT NULL DEFAULT 0, search_clicks bigint NOT NULL DEFAULT 0, search_position_sum double precision NOT NULL DEFAULT 0,
  views numeric NOT NULL DEFAULT 0, active_users numeric NOT NULL DEFAULT 0, engagement_seconds numeric NOT NULL DEFAULT 0, key_events numeric NOT NULL DEFAULT 0,
  behaviour_sessions numeric, scroll_depth_avg numeric, rage_clicks numeric, dead_clicks numeric, quickbacks numeric, script_errors numeric,
  PRIMARY KEY (property, date, page_path)
);
COMMENT ON TABLE warehouse.page_daily IS 'One row per site (property), day and page path, joining Google Search Console (search_*), GA4 (views, users, engagement, key events) and Microsoft Clarity (behaviour and friction). Sum over days for a period; average position = sum(search_position_sum) / sum(search_impressions).';
COMMENT ON COLUMN warehouse.page_daily.property IS 'The site, by its solohub name (e.g. blog).';
COMMENT ON COLUMN warehouse.page_daily.page_path IS 'The URL path, without host or query string (e.g. /posts/solo-backend).';
COMMENT ON COLUMN warehouse.page_daily.search_impressions IS 'Google Search impressions of the page that day (Search Console, by page).';
COMMENT ON COLUMN warehouse.page_daily.search_clicks IS 'Google Search clicks to the page that day.';
COMMENT ON COLUMN warehouse.page_daily.search_position_sum IS 'Average position × impressions; divide the sum by summed impressions for the average position (1 = top).';
COMMENT ON COLUMN warehouse.page_daily.views IS 'GA4 screen/page views.';
COMMENT ON COLUMN warehouse.page_daily.active_users IS 'GA4 active users that day (not additive across days).';
COMMENT ON COLUMN warehouse.page_daily.engagement_seconds IS 'GA4 user engagement duration, seconds.';
COMMENT ON COLUMN warehouse.page_daily.key_events IS 'GA4 key events (conversions) on the page.';
COMMENT ON COLUMN warehouse.page_daily.behaviour_sessions IS 'Clarity sessions on the page (NULL: Clarity had no data for that day; Clarity keeps only 3 days, so history starts when syncing began).';
COMMENT ON COLUMN warehouse.page_daily.scroll_depth_avg IS 'Clarity average scroll depth, percent.';
COMMENT ON COLUMN warehouse.page_daily.rage_clicks IS 'Clarity rage clicks (rapid repeated clicks: frustration).';
COMMENT ON COLUMN warehouse.page_daily.dead_clicks IS 'Clarity dead clicks (clicks with no effect).';
COMMENT ON COLUMN warehouse.page_daily.quickbacks IS 'Clarity quick backs (visitors who left quickly and came back).';
COMMENT ON COLUMN warehouse.page_daily.script_errors IS 'Clarity JavaScript errors.';

CREATE TABLE warehouse.search_query_daily (
  property text NOT NULL, date date NOT NULL, page_path text NOT NULL, query text NOT NULL,
  impressions bigint NOT NULL, clicks bigint NOT NULL, position double precision,
  PRIMARY KEY (property, date, page_path, query)
);
COMMENT ON TABLE warehouse.search_query_daily IS 'Google Search per site, day, page path and query (anonymized rare queries are absent, so totals are below page_daily''s).';
COMMENT ON COLUMN warehouse.search_query_daily.position IS 'Average position that day (1 = top).';

CREATE TABLE warehouse.traffic_daily (
  property text NOT NULL, date date NOT NULL, source text NOT NULL, medium text NOT NULL, campaign text NOT NULL,
  sessions numeric NOT NULL, engaged_sessions numeric NOT NULL, key_events numeric NOT NULL,
  PRIMARY KEY (property, date, source, medium, campaign)
);
COMMENT ON TABLE warehouse.traffic_daily IS 'GA4 sessions per site and day by session source / medium / campaign ("(not set)" when GA4 had none).';

CREATE TABLE warehouse.signups (
  product text NOT NULL, person_key text NOT NULL, signed_up_on date NOT NULL, plan text,
  utm_source text, utm_medium text, utm_campaign text, landing_page text, video_id text,
  PRIMARY KEY (product, person_key)
);
COMMENT ON TABLE warehouse.signups IS 'Product sign-ups with their acquisition. person_key is a keyed pseudonym of the email (the same person has the same key in subscribers), never the email.';
COMMENT ON COLUMN warehouse.signups.person_key IS 'Keyed HMAC pseudonym of the normalized email: joins people across products and the newsletter; reveals nothing.';
COMMENT ON COLUMN warehouse.signups.landing_page IS 'Path of the page the visitor landed on before signing up (joins page_daily.page_path).';
COMMENT ON COLUMN warehouse.signups.video_id IS 'YouTube video id the visitor came from, when known (attribution is by id; titles change).';

CREATE TABLE warehouse.revenue_daily (
  product text NOT NULL, date date NOT NULL, currency text NOT NULL,
  payments integer NOT NULL, succeeded_cents bigint NOT NULL, refunded_cents bigint NOT NULL,
  PRIMARY KEY (product, date, currency)
);
COMMENT ON TABLE warehouse.revenue_daily IS 'Payments per product, day and currency: counts and amounts in cents (succeeded, refunded). Net = succeeded_cents - refunded_cents.';

CREATE TABLE warehouse.subscribers (
  account text NOT NULL, person_key text NOT NULL, status text NOT NULL, source text, subscribed_on date,
  sent integer NOT NULL, opens integer NOT NULL, clicks integer NOT NULL, open_rate_pct numeric NOT NULL, click_rate_pct numeric NOT NULL,
  deleted boolean NOT NULL,
  PRIMARY KEY (account, person_key)
);
COMMENT ON TABLE warehouse.subscribers IS 'Newsletter subscribers (MailerLite), pseudonymized, with lifetime engagement counters (segments: warehouse.subscriber_segments).';
COMMENT ON COLUMN warehouse.subscribers.person_key IS 'Keyed HMAC pseudonym of the normalized email (matches warehouse.signups.person_key for the same person).';
COMMENT ON COLUMN warehouse.subscribers.open_rate_pct IS 'Opens / emails sent, percent (as MailerLite reports it).';
COMMENT ON COLUMN warehouse.subscribers.deleted IS 'The subscriber no longer exists in MailerLite (deleted or forgotten there).';

CREATE TABLE warehouse.campaigns (
  account text NOT NULL, campaign_id text NOT NULL, name text NOT NULL, subject text, sent_on date,
  sent integer NOT NULL, unique_opens integer NOT NULL, unique_clicks integer NOT NULL, unsubscribes integer NOT NULL,
  open_rate numeric NOT NULL, click_rate numeric NOT NULL,
  PRIMARY KEY (account, campaign_id)
);
COMMENT ON TABLE warehouse.campaigns IS 'Sent newsletter campaigns with their statistics. Rates are fractions (0.42 = 42%) of emails sent. Per-link clicks do not exist in the MailerLite API.';

CREATE TABLE warehouse.etl_cursors (
  model text NOT NULL, input text NOT NULL, position text NOT NULL, updated_at timestamptz NOT NULL,
  PRIMARY KEY (model, input)
);
COMMENT ON TABLE warehouse.etl_cursors IS 'How far the nightly ETL has read each input of each model (its own bookkeeping).';

-- Named questions as views. security_invoker: the assistant's own column grants apply to what the view reads.
CREATE VIEW warehouse.page_scorecard_28d WITH (security_invoker = true) AS
SELECT p.property, p.page_path,
       sum(p.search_impressions) AS impressions, sum(p.search_clicks) AS clicks,
       round(sum(p.search_clicks)::numeric / nullif(sum(p.search_impressions), 0), 4) AS ctr,
       round((sum(p.search_position_sum) / nullif(sum(p.search_impressions), 0))::numeric, 1) AS avg_position,
       sum(p.views) AS views, round(sum(p.engagement_seconds) / nullif(sum(p.views), 0), 1) AS engagement_seconds_per_view,
       sum(p.key_events) AS key_events,
       sum(p.behaviour_sessions) AS behaviour_sessions, round(avg(p.scroll_depth_avg), 1) AS scroll_depth_avg,
       sum(p.rage_clicks) AS rage_clicks, sum(p.dead_clicks) AS dead_clicks, sum(p.quickbacks) AS quickbacks,
       (SELECT count(*) FROM warehouse.signups s WHERE s.landing_page = p.page_path AND s.signed_up_on > current_date - 28) AS signups
  FROM warehouse.page_daily p
 WHERE p.date > current_date - 28
 GROUP BY p.property, p.page_path;
COMMENT ON VIEW warehouse.page_scorecard_28d IS 'The page scorecard over the last 28 days: search (impressions, clicks, CTR, average position), behaviour (views, engagement), friction (Clarity rage/dead clicks, quick backs, scroll depth) and conversions (sign-ups whose landing page is the page).';

CREATE VIEW warehouse.pages_without_clicks WITH (security_invoker = true) AS
SELECT property, page_path, impressions, clicks, ctr, avg_position
  FROM warehouse.page_scorecard_28d
 WHERE impressions >= 100 AND clicks <= greatest(1, impressions * 0.002)
 ORDER BY impressions DESC;
COMMENT ON VIEW warehouse.pages_without_clicks IS 'Pages with at least 100 Google impressions in the last 28 days but (almost) no clicks: at most 1 click or 0.2% CTR. Usually a title/description problem or a mismatched query.';

CREATE VIEW warehouse.seo_opportunities WITH (security_invoker = true) AS
WITH q AS (
  SELECT property, page_path, query, sum(impressions) AS impressions, sum(clicks) AS clicks,
         sum(position * impressions) / nullif(sum(impressions), 0) AS position
    FROM warehouse.search_query_daily WHERE date > current_date - 28
   GROUP BY property, page_path, query
), top3 AS (
  SELECT property, coalesce(sum(clicks)::numeric / nullif(sum(impressions), 0), 0.15) AS ctr
    FROM q WHERE position <= 3 GROUP BY property
)
SELECT q.property, q.page_path, q.query, q.impressions, q.clicks, round(q.position::numeric, 1) AS avg_position,
       round(q.clicks::numeric / nullif(q.impressions, 0), 4) AS ctr,
       round(coalesce(t.ctr, 0.15), 4) AS top3_ctr,
       greatest(0, round(q.impressions * coalesce(t.ctr, 0.15) - q.clicks)) AS extra_clicks_at_top3
  FROM q LEFT JOIN top3 t USING (property)
 WHERE q.position > 5 AND q.position <= 15
 ORDER BY q.impressions DESC;
COMMENT ON VIEW warehouse.seo_opportunities IS 'Page/query pairs ranking just outside the top five (average position 5–15) over the last 28 days, most impressions first, with the extra clicks a month if they reached the site''s own top-three CTR (0.15 when the site has no top-three queries yet).';

CREATE VIEW warehouse.subscriber_segments WITH (security_invoker = true) AS
SELECT account, person_key, status, source, subscribed_on, sent, opens, clicks,
       CASE
         WHEN status <> 'active' THEN status
         WHEN subscribed_on > current_date - 30 AND sent < 3 THEN 'new'
         WHEN sent > 0 AND opens >= 0.6 * sent AND clicks >= 2 THEN 'champion'
         WHEN sent > 0 AND opens >= 0.3 * sent THEN 'engaged'
         WHEN sent >= 5 AND opens = 0 THEN 'dormant'
         ELSE 'casual'
       END AS segment
  FROM warehouse.subscribers WHERE NOT deleted;
COMMENT ON VIEW warehouse.subscriber_segments IS 'Each current subscriber with a segment. Rules for active subscribers, the first that applies: new = subscribed in the last 30 days and sent fewer than 3 emails; champion = opened at least 60% of the emails sent and clicked at least twice; engaged = opened at least 30%; dormant = sent at least 5 and opened none; casual = the rest. Other statuses are their own segment (unsubscribed, unconfirmed, bounced, junk). Opens are total opens (a re-open counts), as MailerLite reports them.';

CREATE VIEW warehouse.newsletter_segments WITH (security_invoker = true) AS
SELECT account, segment, coalesce(source, '(unknown)') AS source, count(*) AS subscribers,
       sum(opens) AS opens, sum(clicks) AS clicks
  FROM warehouse.subscriber_segments
 GROUP BY account, segment, coalesce(source, '(unknown)');
COMMENT ON VIEW warehouse.newsletter_segments IS 'Newsletter subscribers by segment and sign-up source (rules on warehouse.subscriber_segments). Counts are people; add the segments up for the list size.';

CREATE VIEW warehouse.cross_product_overlap WITH (security_invoker = true) AS
SELECT s.product, date_trunc('month', s.signed_up_on)::date AS month, count(*) AS signups,
       count(n.person_key) AS also_subscribers,
       round(count(n.person_key)::numeric / count(*), 3) AS share_subscribed
  FROM warehouse.signups s
  LEFT JOIN (SELECT DISTINCT person_key FROM warehouse.subscribers WHERE NOT deleted AND status = 'active') n USING (person_key)
 GROUP BY s.product, date_trunc('month', s.signed_up_on);
COMMENT ON VIEW warehouse.cross_product_overlap IS 'Per product and month: sign-ups, and how many of those people are also active newsletter subscribers (matched by pseudonymous key, never by email).';

CREATE VIEW warehouse.acquisition WITH (security_invoker = true) AS
SELECT product, coalesce(utm_source, '(direct)') AS source, coalesce(utm_medium, '(none)') AS medium,
       coalesce(utm_campaign, '(none)') AS campaign, video_id, count(*) AS signups,
       min(signed_up_on) AS first_signup, max(signed_up_on) AS last_signup
  FROM warehouse.signups
 GROUP BY product, coalesce(utm_source, '(direct)'), coalesce(utm_medium, '(none)'), coalesce(utm_campaign, '(none)'), video_id;
COMMENT ON VIEW warehouse.acquisition IS 'Sign-ups by product and UTM source/medium/campaign, and by YouTube video id when the visit came from a video (titles arrive with the YouTube connector).';
