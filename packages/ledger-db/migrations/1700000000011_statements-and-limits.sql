-- Up Migration
-- Account statements, balances as of a moment, and overdraft limits (issue 28).
--
-- Every posting now says where it left its account: account_seq numbers an account's postings per
-- currency (1, 2, 3, … with no gap) and balance_after_minor is the balance right after it. The sink
-- numbers them from what its balance upsert returns, holding the balance row's lock to the commit, so they
-- follow the order the balance really moved in. created_at is the batch's time, or the account's last
-- posting time (the balance row's updated_at) when that is later, so it never goes back within an account:
-- a statement reads newest first by (created_at, account_seq), and the balance as of a moment is the
-- balance_after of the last posting at or before it. One index serves both: the postings' key, postings_statement.
ALTER TABLE postings
  ADD COLUMN account_seq bigint,
  ADD COLUMN balance_after_minor bigint;

-- The postings written before: numbered in the order they were written (created_at was the writing
-- transaction's start; ties broken by transaction id), with their running balance.
WITH numbered AS (
  SELECT transaction_id, ledger_account, currency,
    row_number() OVER w AS account_seq,
    sum(amount_minor) OVER w AS balance_after_minor
  FROM postings
  WINDOW w AS (PARTITION BY ledger_account, currency ORDER BY created_at, transaction_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
UPDATE postings AS p
  SET account_seq = n.account_seq, balance_after_minor = n.balance_after_minor
  FROM numbered AS n
  WHERE p.transaction_id = n.transaction_id AND p.ledger_account = n.ledger_account
    AND p.currency = n.currency;

ALTER TABLE postings
  ALTER COLUMN account_seq SET NOT NULL,
  ALTER COLUMN balance_after_minor SET NOT NULL;

-- The statement order is the postings' key, and their only index. The key it replaces,
-- (transaction_id, ledger_account, currency), served the ledger checks' joins by transaction, which read
-- every posting anyway (hash joins, a cursor), and no query of the product: a second index on every
-- posting would cost the sink about 15 µs of Postgres per transaction (bench:sink). One posting per
-- transaction and account is still what the sink writes (only for the rows its insert returned), and the
-- ledger checks (legs: exactly its kind's two postings) say so of every transaction.
ALTER TABLE postings DROP CONSTRAINT postings_pkey;
ALTER TABLE postings
  ADD CONSTRAINT postings_statement PRIMARY KEY (ledger_account, currency, created_at, account_seq);

-- account_balances: the last posting's number (the next posting takes last_seq + 1), and the overdraft
-- limit. The limit lives on the balance row so the sink reads it under the same row lock as the balance
-- it checks, and a PUT of a limit waits for a batch that is moving that balance (and the reverse).
-- NULL: no limit, the account behaves as before limits existed. The CHECK is the last line: no sink bug
-- can leave a limited account below its limit, and no limit can be set that its balance already breaks.
ALTER TABLE account_balances
  ADD COLUMN last_seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN overdraft_limit_minor bigint CHECK (overdraft_limit_minor >= 0),
  ADD COLUMN limit_updated_at timestamptz,
  ADD COLUMN limit_updated_by text,
  ADD CONSTRAINT account_balances_within_limit
    CHECK (overdraft_limit_minor IS NULL OR balance_minor >= -overdraft_limit_minor);

-- The sink locks the limited accounts among those a batch may move before it decides (lockLimitedBalances):
-- this partial index finds them without touching the rows of the unlimited ones.
CREATE INDEX account_balances_limited ON account_balances (ledger_account, currency)
  WHERE overdraft_limit_minor IS NOT NULL;

UPDATE account_balances AS b
  SET last_seq = c.n
  FROM (SELECT ledger_account, currency, count(*) AS n FROM postings GROUP BY ledger_account, currency) AS c
  WHERE b.ledger_account = c.ledger_account AND b.currency = c.currency;

-- The gateway sets and removes limits (PUT/DELETE /v1/accounts/{id}/limits): it may write the limit
-- columns of a balance row, and create the row of an account nothing was posted on yet (balance 0). It
-- still cannot change a balance. A role that does not exist is skipped.
DO $$
DECLARE
  s text := current_schema();
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerline_gateway') THEN
    EXECUTE format('GRANT INSERT (ledger_account, currency, overdraft_limit_minor, limit_updated_at, '
      'limit_updated_by) ON %I.account_balances TO ledgerline_gateway', s);
    EXECUTE format('GRANT UPDATE (overdraft_limit_minor, limit_updated_at, limit_updated_by) '
      'ON %I.account_balances TO ledgerline_gateway', s);
  END IF;
END $$;

-- Down Migration
DO $$
DECLARE
  s text := current_schema();
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerline_gateway') THEN
    EXECUTE format('REVOKE INSERT (ledger_account, currency, overdraft_limit_minor, limit_updated_at, '
      'limit_updated_by) ON %I.account_balances FROM ledgerline_gateway', s);
    EXECUTE format('REVOKE UPDATE (overdraft_limit_minor, limit_updated_at, limit_updated_by) '
      'ON %I.account_balances FROM ledgerline_gateway', s);
  END IF;
END $$;
DROP INDEX account_balances_limited;
ALTER TABLE account_balances
  DROP CONSTRAINT account_balances_within_limit,
  DROP COLUMN limit_updated_by,
  DROP COLUMN limit_updated_at,
  DROP COLUMN overdraft_limit_minor,
  DROP COLUMN last_seq;
ALTER TABLE postings DROP CONSTRAINT postings_statement;
ALTER TABLE postings ADD PRIMARY KEY (transaction_id, ledger_account, currency);
ALTER TABLE postings
  DROP COLUMN balance_after_minor,
  DROP COLUMN account_seq;
