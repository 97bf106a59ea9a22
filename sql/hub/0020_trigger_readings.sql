-- Readings of the scaling backlog's triggers, one row per item per `npm run triggers`.
CREATE TABLE ops.trigger_readings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  taken_at timestamptz NOT NULL,
  item_id text NOT NULL,
  metric text,
  value double precision,
  status text NOT NULL CHECK (status IN ('fired', 'not_yet', 'not_measurable')),
  note text
);
CREATE INDEX trigger_readings_by_item ON ops.trigger_readings (item_id, taken_at DESC);
COMMENT ON TABLE ops.trigger_readings IS 'Each scaling-backlog trigger as measured by npm run triggers: the value, and whether it fired.';
