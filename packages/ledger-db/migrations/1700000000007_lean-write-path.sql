-- Up Migration
-- Every index the sink writes is one a query of the product reads, and the outbox keeps only what is still to
-- publish. Measured with `npm run bench:e2e -- --statements` (the Postgres statements' time per transaction)
-- and a micro-benchmark of 100,000 transactions in one backend (µs per transaction, in the closing note of
-- the issue that made this change).
--
-- postings: the key of a posting is (transaction, account, currency): a transaction debits the customer's
-- account and credits the merchant's settlement account, never the same one twice. That key serves every
-- read of postings (the ledger invariants join them to their transaction), so the serial posting_id, its
-- sequence and the two secondary indexes go: one index write per posting instead of three.
--   postings_pkey   (transaction_id, ledger_account, currency): the invariants' join by transaction
--   postings_account (ledger_account, currency): read by no query (balances live in account_balances)
ALTER TABLE postings DROP CONSTRAINT postings_pkey;
ALTER TABLE postings DROP COLUMN posting_id;
DROP INDEX postings_transaction;
DROP INDEX postings_account;
ALTER TABLE postings ADD PRIMARY KEY (transaction_id, ledger_account, currency);
-- The foreign key to transactions checked every posting with a lookup and a row lock on its transaction
-- (7.6 of the 14.2 µs the two postings of a transaction cost with the key above). What it guarded is held
-- another way: the sink writes a transaction's postings in the same database transaction as its row, only
-- for rows its insert returned (applyPlan in LedgerWrites.ts); no runtime role may delete a transaction
-- (1700000000005_runtime-role-grants.sql); and every fault and chaos test checks that each posted
-- transaction has exactly two postings summing to zero and each posting its transaction.
ALTER TABLE postings DROP CONSTRAINT postings_transaction_id_fkey;

-- outbox: the relay deletes the rows it published, in the transaction that published them, instead of
-- marking them published_at and deleting them a day later (an update writes a new row version and three
-- index entries; a delete writes neither). transactions.posted is the record of what was published. The
-- unique sequence index orders the relay's claim; parked rows keep their own partial index.
DELETE FROM outbox WHERE published_at IS NOT NULL;
DROP INDEX outbox_published;
DROP INDEX outbox_unpublished;
ALTER TABLE outbox DROP COLUMN published_at;

-- Down Migration
ALTER TABLE outbox ADD COLUMN published_at timestamptz;
CREATE INDEX outbox_unpublished ON outbox (sequence) WHERE published_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
ALTER TABLE postings ADD CONSTRAINT postings_transaction_id_fkey
  FOREIGN KEY (transaction_id) REFERENCES transactions (transaction_id);
ALTER TABLE postings DROP CONSTRAINT postings_pkey;
ALTER TABLE postings ADD COLUMN posting_id bigserial PRIMARY KEY;
CREATE INDEX postings_transaction ON postings (transaction_id);
CREATE INDEX postings_account ON postings (ledger_account, currency);
