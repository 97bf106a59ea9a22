-- A product database: the app's own schema (tables arrive with the product SDK).
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'The product app''s data, written by app_rw.';
COMMENT ON SCHEMA ops IS 'Operations: the migrations applied to this database.';
