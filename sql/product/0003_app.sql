-- The product app's data (lib/product/tables.ts): users, their sign-up with its acquisition, events, payments.
-- Written by app_rw through the product SDK (lib/product/Product.ts); read by warehouse_writer for the ETL.
CREATE TABLE app.users (
  id text PRIMARY KEY,
  email text NOT NULL,
  name text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE app.signups (
  user_id text PRIMARY KEY REFERENCES app.users (id),
  signed_up_at timestamptz NOT NULL,
  plan text,
  utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text,
  referrer text,
  landing_page text,
  video_id text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE app.events (
  id text PRIMARY KEY,
  user_id text REFERENCES app.users (id),
  name text NOT NULL,
  occurred_at timestamptz NOT NULL,
  duration_ms integer CHECK (duration_ms >= 0),
  properties jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_occurred_at ON app.events (occurred_at);
CREATE TABLE app.payments (
  id text PRIMARY KEY,
  user_id text REFERENCES app.users (id),
  amount_cents bigint NOT NULL,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL CHECK (status IN ('succeeded', 'refunded', 'failed', 'pending')),
  paid_at timestamptz NOT NULL,
  provider text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_paid_at ON app.payments (paid_at);
-- For the ETL's cursors: what changed since its last run.
CREATE INDEX users_updated_at ON app.users (updated_at);
CREATE INDEX signups_updated_at ON app.signups (updated_at);
CREATE INDEX events_recorded_at ON app.events (recorded_at);
CREATE INDEX payments_updated_at ON app.payments (updated_at);
