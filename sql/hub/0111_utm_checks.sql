-- UTM checks (docs/attribution.md): a tagged link traced through its redirects, then looked for in GA4 once a real
-- visit has been made with it.
CREATE TABLE ops.utm_checks (
  id bigserial PRIMARY KEY,
  url text NOT NULL,
  tagged_url text NOT NULL,
  utm_source text NOT NULL, utm_medium text NOT NULL, utm_campaign text NOT NULL UNIQUE,
  hops jsonb NOT NULL,
  final_url text,
  kept boolean NOT NULL,
  problem text,
  checked_at timestamptz NOT NULL,
  ga4_sessions numeric,
  ga4_first_day date,
  ga4_seen_as text,
  verified_at timestamptz
);
