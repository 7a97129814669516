-- Up Migration
-- Each posted transaction updates two balance rows. With room left on their page, an update is HOT: the
-- new row version stays on the page and the primary key gets no new entry. The table is small (one row
-- per account and currency), so half-empty pages cost little.
-- Used by: the balances upsert of insertPostings (packages/ledger-db/src/LedgerWrites.ts).
ALTER TABLE account_balances SET (fillfactor = 50);

-- Down Migration
ALTER TABLE account_balances RESET (fillfactor);
