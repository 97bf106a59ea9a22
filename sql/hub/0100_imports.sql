-- CSV imports (docs/imports.md): the consulting CRM and the finances, and a log of imported files.
CREATE TABLE crm.clients (
  client_id text PRIMARY KEY, name text NOT NULL, email text, company text, country text, source_channel text, created_on date, notes text,
  imported_at timestamptz NOT NULL
);
CREATE TABLE crm.deals (
  deal_id text PRIMARY KEY, client_id text NOT NULL REFERENCES crm.clients (client_id), title text NOT NULL, stage text NOT NULL,
  value_cents bigint NOT NULL, currency text NOT NULL, source_channel text, opened_on date NOT NULL, closed_on date, imported_at timestamptz NOT NULL
);
CREATE TABLE crm.invoices (
  invoice_number text PRIMARY KEY, client_id text NOT NULL REFERENCES crm.clients (client_id), deal_id text REFERENCES crm.deals (deal_id),
  issued_on date NOT NULL, due_on date, paid_on date, amount_cents bigint NOT NULL, currency text NOT NULL, status text NOT NULL,
  imported_at timestamptz NOT NULL
);
CREATE TABLE finance.entries (
  month date NOT NULL CHECK (extract(day FROM month) = 1), kind text NOT NULL CHECK (kind IN ('income', 'cost')), category text NOT NULL,
  amount_cents bigint NOT NULL, currency text NOT NULL, note text, imported_at timestamptz NOT NULL,
  PRIMARY KEY (month, kind, category, currency)
);
CREATE TABLE ops.imports (
  kind text NOT NULL, sha256 text NOT NULL, file_name text NOT NULL, rows integer NOT NULL, imported_at timestamptz NOT NULL,
  PRIMARY KEY (kind, sha256)
);
