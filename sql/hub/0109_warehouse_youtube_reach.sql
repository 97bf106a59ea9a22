-- YouTube reach in the warehouse: impressions and click-through beside views in video_daily, click-through before
-- and after each thumbnail change, and per-video performance over the last 28 days.
ALTER TABLE warehouse.video_daily
  ADD COLUMN impressions bigint,
  ADD COLUMN impressions_ctr numeric,
  ALTER COLUMN views DROP NOT NULL,
  ALTER COLUMN watch_minutes DROP NOT NULL,
  ALTER COLUMN subscribers_gained DROP NOT NULL;
COMMENT ON TABLE warehouse.video_daily IS 'Per video and day (YouTube''s Pacific days): views, minutes watched, subscribers gained (Analytics API), thumbnail impressions and their click-through rate (Reporting API). A column is NULL while its source has not published the day yet: reach reports come a day or two late. property is the channel id.';
COMMENT ON COLUMN warehouse.video_daily.impressions IS 'Times the thumbnail was shown on YouTube (video_thumbnail_impressions).';
COMMENT ON COLUMN warehouse.video_daily.impressions_ctr IS 'Share of those impressions that led to a view, 0 to 1; weight by impressions when averaging.';

CREATE OR REPLACE VIEW warehouse.thumbnail_effect WITH (security_invoker = true) AS
SELECT c.video_id, v.title, c.changed_at,
       b.views_per_day AS views_per_day_before, a.views_per_day AS views_per_day_after,
       b.impressions AS impressions_before, b.ctr AS ctr_before, a.impressions AS impressions_after, a.ctr AS ctr_after
  FROM warehouse.thumbnail_changes c
  LEFT JOIN warehouse.videos v USING (video_id)
  CROSS JOIN LATERAL (SELECT (c.changed_at AT TIME ZONE 'America/Los_Angeles')::date AS seen_on) s
  LEFT JOIN LATERAL (
    SELECT round(avg(d.views), 1) AS views_per_day, sum(d.impressions) AS impressions,
           round(sum(d.impressions * d.impressions_ctr) / nullif(sum(d.impressions) FILTER (WHERE d.impressions_ctr IS NOT NULL), 0), 4) AS ctr
      FROM warehouse.video_daily d WHERE d.video_id = c.video_id AND d.date BETWEEN s.seen_on - 8 AND s.seen_on - 2) b ON true
  LEFT JOIN LATERAL (
    SELECT round(avg(d.views), 1) AS views_per_day, sum(d.impressions) AS impressions,
           round(sum(d.impressions * d.impressions_ctr) / nullif(sum(d.impressions) FILTER (WHERE d.impressions_ctr IS NOT NULL), 0), 4) AS ctr
      FROM warehouse.video_daily d WHERE d.video_id = c.video_id AND d.date BETWEEN s.seen_on AND s.seen_on + 6) a ON true;
COMMENT ON VIEW warehouse.thumbnail_effect IS 'Each thumbnail change (detected by the image''s hash at a sync) with the video''s click-through rate, impressions and daily views in the 7 days before and the 7 days after. The day before the sync that saw the new image is left out of both: the change happened some time in it. CTR is impressions-weighted; NULL until the Reporting API has published those days.';

CREATE VIEW warehouse.video_performance_28d WITH (security_invoker = true) AS
SELECT v.video_id, v.title, v.published_on, sum(d.views) AS views, round(sum(d.watch_minutes)) AS watch_minutes,
       sum(d.subscribers_gained) AS subscribers_gained, sum(d.impressions) AS impressions,
       round(sum(d.impressions * d.impressions_ctr) / nullif(sum(d.impressions) FILTER (WHERE d.impressions_ctr IS NOT NULL), 0), 4) AS ctr,
       (SELECT count(*) FROM warehouse.video_titles t WHERE t.video_id = v.video_id) AS titles,
       (SELECT count(*) FROM warehouse.thumbnail_changes t WHERE t.video_id = v.video_id) AS thumbnail_changes
  FROM warehouse.videos v
  LEFT JOIN warehouse.video_daily d ON d.video_id = v.video_id AND d.date > current_date - 28
 GROUP BY v.video_id, v.title, v.published_on;
COMMENT ON VIEW warehouse.video_performance_28d IS 'Each video over the last 28 days: views, minutes watched, subscribers gained, thumbnail impressions and the impressions-weighted click-through rate, with how many titles it has had and how often its thumbnail changed. Keyed on video_id; title is the current one.';
