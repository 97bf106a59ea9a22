-- YouTube reach (docs/sources/youtube.md, "Reporting API"): the reports loaded, and impressions and click-through
-- per video and day from the newest report for each day.
CREATE TABLE video.yt_reach_reports (
  report_id text PRIMARY KEY, channel_id text NOT NULL, job_id text NOT NULL, report_type_id text NOT NULL, date date NOT NULL,
  start_time timestamptz NOT NULL, end_time timestamptz NOT NULL, create_time timestamptz NOT NULL, rows integer NOT NULL,
  fetched_at timestamptz NOT NULL
);
CREATE INDEX yt_reach_reports_day ON video.yt_reach_reports (channel_id, date, create_time DESC);
CREATE TABLE video.yt_reach_daily (
  channel_id text NOT NULL, video_id text NOT NULL, date date NOT NULL, impressions bigint NOT NULL,
  impressions_ctr numeric CHECK (impressions_ctr BETWEEN 0 AND 1), report_id text NOT NULL REFERENCES video.yt_reach_reports,
  fetched_at timestamptz NOT NULL, PRIMARY KEY (video_id, date)
);
