-- A UTM check ends once: seen in GA4, or reported missing (so cron does not mail the same loss every morning).
ALTER TABLE ops.utm_checks ADD COLUMN outcome text CHECK (outcome IN ('seen', 'missing'));
UPDATE ops.utm_checks SET outcome = 'seen' WHERE verified_at IS NOT NULL;
