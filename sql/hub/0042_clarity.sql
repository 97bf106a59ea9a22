-- Microsoft Clarity (docs/sources/clarity.md §8): behaviour and friction per URL per day, and a fetch log.
-- A row covers window_days days ending on date (1 on a normal night; 2–3 when a missed night is caught up).
CREATE TABLE behaviour.clarity_page_daily (
  project text NOT NULL, date date NOT NULL, url text NOT NULL, window_days smallint NOT NULL CHECK (window_days BETWEEN 1 AND 3),
  sessions numeric, bot_sessions numeric, distinct_users numeric, pages_per_session numeric,
  scroll_depth_avg numeric, engagement_total_s numeric, engagement_active_s numeric,
  dead_clicks numeric, dead_click_sessions_pct numeric, rage_clicks numeric, rage_click_sessions_pct numeric,
  quickbacks numeric, quickback_sessions_pct numeric, excessive_scrolls numeric, script_errors numeric, error_clicks numeric,
  fetched_at timestamptz NOT NULL,
  PRIMARY KEY (project, date, url)
);
CREATE TABLE behaviour.clarity_fetch_log (
  project text NOT NULL, date date NOT NULL, window_days smallint NOT NULL, window_end timestamptz NOT NULL,
  urls integer NOT NULL, metrics text[] NOT NULL, capped_metrics text[] NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (project, date)
);
COMMENT ON TABLE behaviour.clarity_fetch_log IS 'Per Clarity project and day: the window fetched (the 24–72 h before window_end), rows per metric, metrics at the 1,000-row cap.';
