-- The founder's own records in the warehouse (from the CSV imports): money by month, and consulting deals by channel.
CREATE TABLE warehouse.finance_monthly (
  month date NOT NULL, kind text NOT NULL, category text NOT NULL, currency text NOT NULL, amount_cents bigint NOT NULL,
  PRIMARY KEY (month, kind, category, currency)
);
COMMENT ON TABLE warehouse.finance_monthly IS 'Income and fixed costs by month and category, as imported from the finances file (kind: income or cost; amounts in cents).';

CREATE TABLE warehouse.deals (
  deal_id text PRIMARY KEY, stage text NOT NULL, value_cents bigint NOT NULL, currency text NOT NULL, source_channel text,
  opened_on date NOT NULL, closed_on date
);
COMMENT ON TABLE warehouse.deals IS 'Consulting deals from the CRM import, without the client: stage (lead, proposal, won, lost), value in cents, and the channel the client came from (newsletter, youtube, search, …).';

CREATE VIEW warehouse.pnl_monthly WITH (security_invoker = true) AS
WITH money AS (
  SELECT month, currency,
         sum(amount_cents) FILTER (WHERE kind = 'income') AS income_cents,
         sum(amount_cents) FILTER (WHERE kind = 'cost') AS fixed_costs_cents
    FROM warehouse.finance_monthly GROUP BY month, currency
), products AS (
  SELECT date_trunc('month', date)::date AS month, currency, sum(succeeded_cents - refunded_cents) AS product_net_cents
    FROM warehouse.revenue_daily GROUP BY 1, 2
)
SELECT coalesce(m.month, p.month) AS month, coalesce(m.currency, p.currency) AS currency,
       coalesce(m.income_cents, 0) AS income_cents, coalesce(m.fixed_costs_cents, 0) AS fixed_costs_cents,
       coalesce(m.income_cents, 0) - coalesce(m.fixed_costs_cents, 0) AS profit_cents,
       coalesce(p.product_net_cents, 0) AS product_payments_net_cents
  FROM money m FULL JOIN products p ON p.month = m.month AND p.currency = m.currency;
COMMENT ON VIEW warehouse.pnl_monthly IS 'The P&L at a glance per month and currency: income and fixed costs from the finances file (profit = income - fixed costs), beside the products'' net payments as the payment provider reported them (a cross-check: product income in the finances file should match).';

CREATE VIEW warehouse.deals_by_channel WITH (security_invoker = true) AS
SELECT coalesce(source_channel, '(unknown)') AS channel, count(*) AS deals,
       count(*) FILTER (WHERE stage = 'won') AS won, sum(value_cents) FILTER (WHERE stage = 'won') AS won_value_cents,
       count(*) FILTER (WHERE stage IN ('lead', 'proposal')) AS open, min(opened_on) AS first_opened, max(opened_on) AS last_opened
  FROM warehouse.deals GROUP BY coalesce(source_channel, '(unknown)');
COMMENT ON VIEW warehouse.deals_by_channel IS 'Consulting deals by the channel that brought the client: how many, how many won and for how much (cents), how many still open.';
