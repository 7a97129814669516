-- Up Migration
-- The W3C traceparent of the record an outbox event came from, so transactions.posted joins the trace.
ALTER TABLE outbox ADD COLUMN traceparent text NULL;

-- Down Migration
ALTER TABLE outbox DROP COLUMN traceparent;
