-- Bing beside Google: Bing's weekly page figures in the warehouse, and in the page scorecard.
CREATE TABLE warehouse.bing_page_weekly (
  property text NOT NULL, date date NOT NULL, page_path text NOT NULL,
  clicks bigint NOT NULL, impressions bigint NOT NULL, position_sum double precision NOT NULL,
  PRIMARY KEY (property, date, page_path)
);
COMMENT ON TABLE warehouse.bing_page_weekly IS 'Bing search per site, week and page path (Bing reports weeks: date is the week''s first day). Average position = sum(position_sum) / sum(impressions).';

CREATE OR REPLACE VIEW warehouse.page_scorecard_28d WITH (security_invoker = true) AS
SELECT p.property, p.page_path,
       sum(p.search_impressions) AS impressions, sum(p.search_clicks) AS clicks,
       round(sum(p.search_clicks)::numeric / nullif(sum(p.search_impressions), 0), 4) AS ctr,
       round((sum(p.search_position_sum) / nullif(sum(p.search_impressions), 0))::numeric, 1) AS avg_position,
       sum(p.views) AS views, round(sum(p.engagement_seconds) / nullif(sum(p.views), 0), 1) AS engagement_seconds_per_view,
       sum(p.key_events) AS key_events,
       sum(p.behaviour_sessions) AS behaviour_sessions, round(avg(p.scroll_depth_avg), 1) AS scroll_depth_avg,
       sum(p.rage_clicks) AS rage_clicks, sum(p.dead_clicks) AS dead_clicks, sum(p.quickbacks) AS quickbacks,
       (SELECT count(*) FROM warehouse.signups s WHERE s.landing_page = p.page_path AND s.signed_up_on > current_date - 28) AS signups,
       (SELECT sum(b.impressions) FROM warehouse.bing_page_weekly b WHERE b.property = p.property AND b.page_path = p.page_path AND b.date > current_date - 28) AS bing_impressions,
       (SELECT sum(b.clicks) FROM warehouse.bing_page_weekly b WHERE b.property = p.property AND b.page_path = p.page_path AND b.date > current_date - 28) AS bing_clicks
  FROM warehouse.page_daily p
 WHERE p.date > current_date - 28
 GROUP BY p.property, p.page_path;
COMMENT ON VIEW warehouse.page_scorecard_28d IS 'The page scorecard over the last 28 days: search (Google impressions, clicks, CTR, average position; Bing impressions and clicks of the weeks starting in the period), behaviour (views, engagement), friction (Clarity rage/dead clicks, quick backs, scroll depth) and conversions (sign-ups whose landing page is the page).';
