-- The PII catalog of this product database, rewritten by every provisioning run from lib/.
CREATE TABLE ops.pii_catalog (
  schema_name text NOT NULL,
  table_name text NOT NULL,
  column_name text NOT NULL,
  pii_kind text,
  PRIMARY KEY (schema_name, table_name, column_name)
);
COMMENT ON TABLE ops.pii_catalog IS 'Every known column and its kind of personal data (NULL: not personal), mirrored from the schemas in lib/.';
