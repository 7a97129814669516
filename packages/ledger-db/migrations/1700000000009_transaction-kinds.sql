-- Up Migration
-- Transaction kinds, refunds, and customer accounts owned by their client.
--
-- type: what the transaction is (packages/domain/src/transactionKinds.ts says which legs each books).
-- Every row recorded before kinds existed was booked as a payment (customer debit, merchant credit), so
-- 'payment' is the truth for them, and the default.
ALTER TABLE transactions
  ADD COLUMN type text NOT NULL DEFAULT 'payment'
    CHECK (type IN ('payment', 'transfer', 'cash_in', 'cash_out', 'debit', 'refund')),
  -- A transfer's receiving account (the client's account id, as account_id is).
  ADD COLUMN counterparty_account_id text,
  -- A refund's original: always its ledger id, whichever id the client named it by.
  ADD COLUMN original_transaction_id uuid,
  -- How much of this transaction refunds have given back. The sink raises it in the same database
  -- transaction that posts the refund, holding the original's row lock; the CHECK is the last line:
  -- no sink bug can make refunds exceed their original.
  ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0,
  ADD CONSTRAINT transactions_refunds_within_original
    CHECK (refunded_minor >= 0 AND (amount_minor IS NULL OR refunded_minor <= amount_minor));

-- Customer accounts belong to their client: client A's ACC-1 and client B's ACC-1 are two ledger
-- accounts, customer:<client_id>:<account_id> (account ids hold no ':'). Every customer posting so far
-- was a payment's debit of its transaction's account_id, so each moves to its transaction's client's
-- account; a row without a client (none are written so: the contract defaults it) goes to 'external',
-- the contract's default client. Merchant settlement accounts stay shared: a merchant is paid by any
-- client's customers. The balances of customer accounts are then summed again from the moved postings.
UPDATE postings AS p
  SET ledger_account = 'customer:' || coalesce(t.client_id, 'external') || ':' || t.account_id
  FROM transactions AS t
  WHERE p.transaction_id = t.transaction_id
    AND p.ledger_account = 'customer:' || t.account_id;

DELETE FROM account_balances WHERE ledger_account LIKE 'customer:%';
INSERT INTO account_balances (ledger_account, currency, balance_minor)
  SELECT ledger_account, currency, sum(amount_minor)
  FROM postings
  WHERE ledger_account LIKE 'customer:%'
  GROUP BY ledger_account, currency;

-- Down Migration
DELETE FROM account_balances WHERE ledger_account LIKE 'customer:%';
UPDATE postings AS p
  SET ledger_account = 'customer:' || t.account_id
  FROM transactions AS t
  WHERE p.transaction_id = t.transaction_id
    AND p.ledger_account = 'customer:' || coalesce(t.client_id, 'external') || ':' || t.account_id;
INSERT INTO account_balances (ledger_account, currency, balance_minor)
  SELECT ledger_account, currency, sum(amount_minor)
  FROM postings
  WHERE ledger_account LIKE 'customer:%'
  GROUP BY ledger_account, currency;
ALTER TABLE transactions
  DROP CONSTRAINT transactions_refunds_within_original,
  DROP COLUMN refunded_minor,
  DROP COLUMN original_transaction_id,
  DROP COLUMN counterparty_account_id,
  DROP COLUMN type;
