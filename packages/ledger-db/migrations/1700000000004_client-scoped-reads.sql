-- Up Migration
-- An API key with the read scope sees only its own client's transactions: GET /v1/transactions filters on
-- client_id and pages newest first, and GET /v1/transactions/{id} checks the owner. This index serves
-- that list at any ledger size (the same order as transactions_recorded_cursor, within one client).
CREATE INDEX transactions_client_recorded ON transactions (client_id, recorded_at, transaction_id);

-- Down Migration
DROP INDEX transactions_client_recorded;
