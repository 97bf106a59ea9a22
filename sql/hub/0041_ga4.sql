-- Google Analytics 4 (docs/sources/ga4.md §8): pages and traffic sources per day, and a fetch log with GA4's
-- "silent wrong data" flags and its token budget.
CREATE TABLE analytics.ga4_page_daily (
  property text NOT NULL, ga4_property_id text NOT NULL, date date NOT NULL, host_name text NOT NULL, page_path text NOT NULL,
  screen_page_views numeric NOT NULL, active_users numeric NOT NULL, user_engagement_duration_s numeric NOT NULL,
  event_count numeric NOT NULL, key_events numeric NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (ga4_property_id, date, host_name, page_path)
);
CREATE TABLE analytics.ga4_traffic_daily (
  property text NOT NULL, ga4_property_id text NOT NULL, date date NOT NULL,
  session_source text NOT NULL, session_medium text NOT NULL, session_campaign_name text NOT NULL,
  sessions numeric NOT NULL, engaged_sessions numeric NOT NULL, total_users numeric NOT NULL, key_events numeric NOT NULL,
  fetched_at timestamptz NOT NULL,
  PRIMARY KEY (ga4_property_id, date, session_source, session_medium, session_campaign_name)
);
CREATE TABLE analytics.ga4_fetch_log (
  ga4_property_id text NOT NULL, report text NOT NULL, date date NOT NULL,
  row_count integer NOT NULL, pages integer NOT NULL, sampled boolean NOT NULL, subject_to_thresholding boolean NOT NULL,
  data_loss_from_other_row boolean NOT NULL, has_other_row boolean NOT NULL, time_zone text, tokens_consumed integer,
  tokens_remaining_today integer, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (ga4_property_id, report, date)
);
COMMENT ON TABLE analytics.ga4_fetch_log IS 'Per GA4 report and day: rows, pages, sampling, thresholding, the (other) row, and the token budget GA4 reported.';
