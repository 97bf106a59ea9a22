-- The connector machinery's ledger: daily API quotas, incremental cursors, raw payloads for replay.
CREATE TABLE ops.api_quota_usage (
  source text NOT NULL,
  scope text NOT NULL,
  day date NOT NULL,
  used integer NOT NULL CHECK (used >= 0),
  quota_limit integer NOT NULL CHECK (quota_limit > 0),
  PRIMARY KEY (source, scope, day)
);
COMMENT ON TABLE ops.api_quota_usage IS 'Calls (or units) spent per source, scope (property, project) and day against the daily budget; consumed atomically before each call.';

CREATE TABLE ops.sync_cursors (
  source text NOT NULL,
  stream text NOT NULL,
  scope text NOT NULL,
  position text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, stream, scope)
);
COMMENT ON TABLE ops.sync_cursors IS 'How far each stream has loaded, committed in the same transaction as the rows it covers.';

CREATE TABLE ops.raw_payloads (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL,
  stream text NOT NULL,
  scope text NOT NULL,
  request jsonb NOT NULL,
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('loaded', 'drift')),
  error text,
  fetched_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX raw_payloads_by_stream ON ops.raw_payloads (source, stream, fetched_at DESC);
COMMENT ON TABLE ops.raw_payloads IS 'API responses as received: loaded ones for replay, drifted ones with the decode error.';

-- Google Search Console (docs/sources/search-console.md §8): one table per report, one fetch log.
CREATE TABLE search.gsc_site_daily (
  property text NOT NULL, site_url text NOT NULL, search_type text NOT NULL, date date NOT NULL,
  clicks bigint NOT NULL, impressions bigint NOT NULL, ctr double precision NOT NULL, position double precision,
  aggregation_type text NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (site_url, search_type, date)
);
CREATE TABLE search.gsc_page_daily (
  property text NOT NULL, site_url text NOT NULL, search_type text NOT NULL, date date NOT NULL, page text NOT NULL,
  clicks bigint NOT NULL, impressions bigint NOT NULL, ctr double precision NOT NULL, position double precision,
  aggregation_type text NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (site_url, search_type, date, page)
);
CREATE TABLE search.gsc_query_daily (
  property text NOT NULL, site_url text NOT NULL, search_type text NOT NULL, date date NOT NULL, query text NOT NULL,
  clicks bigint NOT NULL, impressions bigint NOT NULL, ctr double precision NOT NULL, position double precision,
  aggregation_type text NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (site_url, search_type, date, query)
);
CREATE TABLE search.gsc_page_query_daily (
  property text NOT NULL, site_url text NOT NULL, search_type text NOT NULL, date date NOT NULL, page text NOT NULL, query text NOT NULL,
  clicks bigint NOT NULL, impressions bigint NOT NULL, ctr double precision NOT NULL, position double precision,
  aggregation_type text NOT NULL, fetched_at timestamptz NOT NULL,
  PRIMARY KEY (site_url, search_type, date, page, query)
);
CREATE TABLE search.gsc_fetch_log (
  site_url text NOT NULL, search_type text NOT NULL, date date NOT NULL, report text NOT NULL,
  rows_returned integer NOT NULL, pages integer NOT NULL, capped boolean NOT NULL, dropped_rows integer NOT NULL,
  fetched_at timestamptz NOT NULL,
  PRIMARY KEY (site_url, search_type, date, report)
);
COMMENT ON TABLE search.gsc_fetch_log IS 'Per day and report: how many rows came, over how many pages, whether the 50,000-row cap was reached, rows dropped by the ingest guard.';
