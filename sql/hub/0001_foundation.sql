-- The hub's schemas and the task ledger every job writes to.
CREATE SCHEMA warehouse;
COMMENT ON SCHEMA warehouse IS 'Pseudonymized models the assistant (mcp_ro) reads. No raw personal data.';
CREATE SCHEMA search;
COMMENT ON SCHEMA search IS 'Search engines: Google Search Console, Bing Webmaster Tools.';
CREATE SCHEMA analytics;
COMMENT ON SCHEMA analytics IS 'Web analytics: Google Analytics 4.';
CREATE SCHEMA behaviour;
COMMENT ON SCHEMA behaviour IS 'Behaviour and friction: Microsoft Clarity.';
CREATE SCHEMA newsletter;
COMMENT ON SCHEMA newsletter IS 'Newsletter: MailerLite. Holds personal data.';
CREATE SCHEMA video;
COMMENT ON SCHEMA video IS 'Video: YouTube.';
CREATE SCHEMA social;
COMMENT ON SCHEMA social IS 'Social: Instagram, X.';
CREATE SCHEMA crm;
COMMENT ON SCHEMA crm IS 'Consulting CRM imports. Holds personal data.';
CREATE SCHEMA finance;
COMMENT ON SCHEMA finance IS 'Income and fixed costs imports.';
COMMENT ON SCHEMA ops IS 'Operations: task runs, errors, cursors, quotas, catalogs.';

CREATE TABLE ops.task_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task text NOT NULL,
  args jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  rows_touched bigint NOT NULL DEFAULT 0,
  warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
  error text,
  host text NOT NULL,
  pid integer NOT NULL
);
CREATE INDEX task_runs_by_task ON ops.task_runs (task, started_at DESC);
COMMENT ON TABLE ops.task_runs IS 'One row per task run: what ran, with which arguments (secrets redacted), how it ended.';

CREATE TABLE ops.errors (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id bigint REFERENCES ops.task_runs (id) ON DELETE SET NULL,
  task text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  error_tag text NOT NULL,
  message text NOT NULL,
  context jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX errors_by_time ON ops.errors (occurred_at DESC);
COMMENT ON TABLE ops.errors IS 'Failures reported by tasks, with redacted context.';
