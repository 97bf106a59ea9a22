-- YouTube in the warehouse: videos keyed on their id with their current title, daily figures, title history,
-- thumbnail changes and their effect; the acquisition view gains the video's current title.
CREATE TABLE warehouse.videos (
  video_id text PRIMARY KEY, channel_id text NOT NULL, title text NOT NULL, published_on date NOT NULL,
  views bigint, likes bigint, comments bigint
);
COMMENT ON TABLE warehouse.videos IS 'The channel''s videos with their current title and lifetime statistics. Attribution is by video_id: titles change (A/B tests), ids never do.';

CREATE TABLE warehouse.video_daily (
  property text NOT NULL, date date NOT NULL, video_id text NOT NULL, views bigint NOT NULL, watch_minutes numeric NOT NULL, subscribers_gained bigint NOT NULL,
  PRIMARY KEY (property, date, video_id)
);
COMMENT ON TABLE warehouse.video_daily IS 'Per video and day (YouTube Analytics): views, minutes watched, subscribers gained. property is the channel id.';

CREATE TABLE warehouse.video_titles (
  video_id text NOT NULL, title text NOT NULL, seen_from timestamptz NOT NULL, PRIMARY KEY (video_id, seen_from)
);
COMMENT ON TABLE warehouse.video_titles IS 'Every title each video has had, from when it was first seen: a title test shows as several rows.';

CREATE TABLE warehouse.thumbnail_changes (
  video_id text NOT NULL, changed_at timestamptz NOT NULL, PRIMARY KEY (video_id, changed_at)
);
COMMENT ON TABLE warehouse.thumbnail_changes IS 'When a video''s thumbnail image changed (detected by its content hash: the URL stays the same).';

CREATE VIEW warehouse.thumbnail_effect WITH (security_invoker = true) AS
SELECT c.video_id, v.title, c.changed_at,
       (SELECT round(avg(d.views), 1) FROM warehouse.video_daily d WHERE d.video_id = c.video_id AND d.date >= (c.changed_at::date - 7) AND d.date < c.changed_at::date) AS views_per_day_before,
       (SELECT round(avg(d.views), 1) FROM warehouse.video_daily d WHERE d.video_id = c.video_id AND d.date >= c.changed_at::date AND d.date < (c.changed_at::date + 7)) AS views_per_day_after
  FROM warehouse.thumbnail_changes c LEFT JOIN warehouse.videos v USING (video_id);
COMMENT ON VIEW warehouse.thumbnail_effect IS 'Each thumbnail change with the video''s average daily views in the 7 days before and after it. Views stand in for click-through until impressions and CTR arrive from the YouTube Reporting API.';

CREATE OR REPLACE VIEW warehouse.acquisition WITH (security_invoker = true) AS
SELECT s.product, coalesce(s.utm_source, '(direct)') AS source, coalesce(s.utm_medium, '(none)') AS medium,
       coalesce(s.utm_campaign, '(none)') AS campaign, s.video_id, count(*) AS signups,
       min(s.signed_up_on) AS first_signup, max(s.signed_up_on) AS last_signup, min(v.title) AS video_title
  FROM warehouse.signups s LEFT JOIN warehouse.videos v ON v.video_id = s.video_id
 GROUP BY s.product, coalesce(s.utm_source, '(direct)'), coalesce(s.utm_medium, '(none)'), coalesce(s.utm_campaign, '(none)'), s.video_id;
COMMENT ON VIEW warehouse.acquisition IS 'Sign-ups by product and UTM source/medium/campaign, and by YouTube video id when the visit came from a video, with the video''s current title when known (attribution is by id).';
