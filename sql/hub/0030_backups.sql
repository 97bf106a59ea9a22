-- Backups and restore drills: what was saved, where, and whether it was proven restorable.
CREATE TABLE ops.backups (
  id text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'local_only')),
  size_bytes bigint,
  local_path text,
  remote_key text,
  manifest jsonb,
  error text
);
COMMENT ON TABLE ops.backups IS 'Encrypted backups of every database: where they are stored and their manifest (row counts and checksums).';

CREATE TABLE ops.restore_drills (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  backup_id text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('passed', 'failed')),
  rto_seconds double precision NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
COMMENT ON TABLE ops.restore_drills IS 'Restore drills: a backup restored into scratch databases and compared with its manifest; the time it took is the RTO.';
