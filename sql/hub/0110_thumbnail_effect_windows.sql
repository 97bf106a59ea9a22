-- thumbnail_effect, more careful: the change happened between the sync before and the sync that saw the new image,
-- so with a nightly sync both Pacific days around the detection are mixed and left out; figures are per day, with
-- the number of days each side has (reach comes a day or two late, so a recent change has few days after it).
DROP VIEW warehouse.thumbnail_effect;
CREATE VIEW warehouse.thumbnail_effect WITH (security_invoker = true) AS
SELECT c.video_id, v.title, c.changed_at,
       b.days AS days_before, a.days AS days_after, b.ctr AS ctr_before, a.ctr AS ctr_after,
       b.impressions_per_day AS impressions_per_day_before, a.impressions_per_day AS impressions_per_day_after,
       b.views_per_day AS views_per_day_before, a.views_per_day AS views_per_day_after
  FROM warehouse.thumbnail_changes c
  LEFT JOIN warehouse.videos v USING (video_id)
  CROSS JOIN LATERAL (SELECT (c.changed_at AT TIME ZONE 'America/Los_Angeles')::date AS seen_on) s
  CROSS JOIN LATERAL (
    SELECT count(d.impressions) AS days, round(avg(d.impressions), 1) AS impressions_per_day, round(avg(d.views), 1) AS views_per_day,
           round(sum(d.impressions * d.impressions_ctr) / nullif(sum(d.impressions) FILTER (WHERE d.impressions_ctr IS NOT NULL), 0), 4) AS ctr
      FROM warehouse.video_daily d WHERE d.video_id = c.video_id AND d.date BETWEEN s.seen_on - 8 AND s.seen_on - 2) b
  CROSS JOIN LATERAL (
    SELECT count(d.impressions) AS days, round(avg(d.impressions), 1) AS impressions_per_day, round(avg(d.views), 1) AS views_per_day,
           round(sum(d.impressions * d.impressions_ctr) / nullif(sum(d.impressions) FILTER (WHERE d.impressions_ctr IS NOT NULL), 0), 4) AS ctr
      FROM warehouse.video_daily d WHERE d.video_id = c.video_id AND d.date BETWEEN s.seen_on + 1 AND s.seen_on + 7) a;
COMMENT ON VIEW warehouse.thumbnail_effect IS 'Each thumbnail change (detected by the image''s hash at a sync) with the video''s click-through rate, impressions and views per day in the 7 days before and the 7 days after. The change happened between the previous sync and the one that saw it, so that Pacific day and the day before are left out of both sides. CTR is impressions-weighted; days_before/days_after count the days with reach data (it arrives a day or two late, so a recent change has few days after it; its CTR is NULL until it has one).';
