-- The PII catalog: every column solohub knows, and its kind of personal data (NULL: not personal).
-- Rewritten by every provisioning run from the table schemas in lib/ (the single source).
CREATE TABLE ops.pii_catalog (
  schema_name text NOT NULL,
  table_name text NOT NULL,
  column_name text NOT NULL,
  pii_kind text,
  PRIMARY KEY (schema_name, table_name, column_name)
);
COMMENT ON TABLE ops.pii_catalog IS 'Every known column and its kind of personal data (NULL: not personal), mirrored from the schemas in lib/.';

-- The data-freshness model: per source and property, the newest day loaded and the last successful run.
CREATE TABLE warehouse.data_freshness (
  source text NOT NULL,
  property text NOT NULL,
  newest_day date,
  rows_loaded bigint NOT NULL,
  last_success_at timestamptz,
  refreshed_at timestamptz NOT NULL,
  PRIMARY KEY (source, property)
);
COMMENT ON TABLE warehouse.data_freshness IS 'Per source and property (site or product): the newest day of data loaded, how many rows, and when its sync last succeeded. Check this before trusting recent numbers.';
COMMENT ON COLUMN warehouse.data_freshness.source IS 'Data source, e.g. search_console, ga4, clarity, mailerlite.';
COMMENT ON COLUMN warehouse.data_freshness.property IS 'The site (web property) or product the data belongs to.';
COMMENT ON COLUMN warehouse.data_freshness.newest_day IS 'The most recent calendar day with data loaded.';
COMMENT ON COLUMN warehouse.data_freshness.rows_loaded IS 'Rows of this source and property in the hub.';
COMMENT ON COLUMN warehouse.data_freshness.last_success_at IS 'When the last successful sync of this source finished.';
COMMENT ON COLUMN warehouse.data_freshness.refreshed_at IS 'When the ETL last rebuilt this row.';
