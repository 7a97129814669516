-- Up Migration
-- Every index on transactions costs each posted transaction an index insert. These two serve no query of
-- the product: `npm run bench:queries` (10 million rows) planned every query the gateway serves for
-- GET /v1/transactions, /reports and /console without them. A status or currency filter pages newest
-- first along transactions_recorded_cursor, and the report totals use transactions_report,
-- transactions_account_time or transactions_occurred_cursor. The indexes that stay, and the queries
-- that use them:
--   transactions_pkey             GET /v1/transactions/{id}; the sink's existing-row check
--   transactions_recorded_cursor  GET /v1/transactions and /reports paging (newest first, every filter)
--   transactions_account_time     account_id filter (list and totals)
--   transactions_occurred_cursor  from/to filter (list and totals)
--   transactions_report           report totals by status
DROP INDEX transactions_status_time;
DROP INDEX transactions_currency;

-- Down Migration
CREATE INDEX transactions_currency ON transactions (currency, occurred_at DESC);
CREATE INDEX transactions_status_time ON transactions (status, occurred_at DESC);
