-- MailerLite (docs/sources/mailerlite.md §8): subscribers (personal data, tagged in lib/connectors/mailerlite/tables.ts),
-- groups and sent campaigns with their statistics.
CREATE TABLE newsletter.ml_subscribers (
  account text NOT NULL, id text NOT NULL,
  email text NOT NULL, name text, last_name text, fields jsonb NOT NULL DEFAULT '{}', ip_address text, optin_ip text,
  status text NOT NULL, source text,
  sent integer NOT NULL, opens_count integer NOT NULL, clicks_count integer NOT NULL, open_rate numeric NOT NULL, click_rate numeric NOT NULL,
  group_ids text[] NOT NULL DEFAULT '{}',
  subscribed_at timestamptz, unsubscribed_at timestamptz, opted_in_at timestamptz, created_at timestamptz, updated_at timestamptz,
  seen_pass text NOT NULL, deleted_at timestamptz, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (account, id)
);
CREATE INDEX ml_subscribers_fetched_at ON newsletter.ml_subscribers (fetched_at);
CREATE TABLE newsletter.ml_groups (
  account text NOT NULL, id text NOT NULL, name text NOT NULL,
  active_count integer NOT NULL, sent_count integer NOT NULL, opens_count integer NOT NULL, open_rate numeric NOT NULL,
  clicks_count integer NOT NULL, click_rate numeric NOT NULL, unsubscribed_count integer NOT NULL, unconfirmed_count integer NOT NULL,
  bounced_count integer NOT NULL, junk_count integer NOT NULL, created_at timestamptz, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (account, id)
);
CREATE TABLE newsletter.ml_campaigns (
  account text NOT NULL, id text NOT NULL, name text NOT NULL, type text NOT NULL, status text NOT NULL, subject text,
  created_at timestamptz, scheduled_for timestamptz, started_at timestamptz, finished_at timestamptz,
  sent integer NOT NULL, opens_count integer NOT NULL, unique_opens_count integer NOT NULL, open_rate numeric NOT NULL,
  clicks_count integer NOT NULL, unique_clicks_count integer NOT NULL, click_rate numeric NOT NULL, unsubscribes_count integer NOT NULL,
  spam_count integer NOT NULL, hard_bounces_count integer NOT NULL, soft_bounces_count integer NOT NULL, forwards_count integer NOT NULL,
  click_to_open_rate numeric NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (account, id)
);
