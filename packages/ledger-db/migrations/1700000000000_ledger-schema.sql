-- Up Migration
-- The ledger's tables. Money is integer minor units (bigint); FX rates are exact numerics.
-- Tables are created unqualified: the migrator sets search_path to the target schema.

CREATE TABLE transactions (
  transaction_id     uuid PRIMARY KEY,
  -- Nullable only for dead-lettered ids whose content could not be read.
  account_id         text,
  amount_minor       bigint,
  currency           char(3),
  base_currency      char(3),
  base_amount_minor  bigint,
  fx_rate            numeric,
  fx_rate_as_of      timestamptz,
  merchant_name      text,
  merchant_category  text,
  status             text NOT NULL CHECK (status IN ('posted', 'rejected', 'dead_lettered', 'historical')),
  rejection_reasons  jsonb,
  dead_letter_reason text,
  risk_flags         text[] NOT NULL DEFAULT '{}',
  occurred_at        timestamptz,
  accepted_at        timestamptz,
  posted_at          timestamptz,
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  source             text NOT NULL DEFAULT 'live' CHECK (source IN ('live', 'historical')),
  client_id          text,
  payload_hash       text,
  metadata           jsonb NOT NULL DEFAULT '{}',
  CONSTRAINT transactions_money_present CHECK (
    status = 'dead_lettered'
    OR (account_id IS NOT NULL AND amount_minor IS NOT NULL AND currency IS NOT NULL AND merchant_name IS NOT NULL)
  ),
  CONSTRAINT transactions_amount_positive CHECK (amount_minor IS NULL OR amount_minor > 0)
);

CREATE INDEX transactions_account_time ON transactions (account_id, occurred_at DESC, transaction_id);
CREATE INDEX transactions_status_time ON transactions (status, occurred_at DESC);
CREATE INDEX transactions_currency ON transactions (currency, occurred_at DESC);
CREATE INDEX transactions_report ON transactions (status, currency) INCLUDE (amount_minor, base_amount_minor);
CREATE INDEX transactions_recorded_cursor ON transactions (recorded_at, transaction_id);
CREATE INDEX transactions_occurred_cursor ON transactions (occurred_at, transaction_id);

-- Double-entry lines: customer debit negative, merchant settlement credit positive; each
-- transaction's lines sum to zero per currency.
CREATE TABLE postings (
  posting_id     bigserial PRIMARY KEY,
  transaction_id uuid NOT NULL REFERENCES transactions (transaction_id),
  ledger_account text NOT NULL,
  currency       char(3) NOT NULL,
  amount_minor   bigint NOT NULL CHECK (amount_minor <> 0),
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX postings_transaction ON postings (transaction_id);
CREATE INDEX postings_account ON postings (ledger_account, currency);

CREATE TABLE account_balances (
  ledger_account text NOT NULL,
  currency       char(3) NOT NULL,
  balance_minor  bigint NOT NULL DEFAULT 0,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ledger_account, currency)
);

-- Transactional outbox; the relay publishes unpublished rows in sequence order per aggregate.
CREATE TABLE outbox (
  event_id     uuid PRIMARY KEY,
  sequence     bigserial NOT NULL UNIQUE,
  aggregate_id text NOT NULL,
  event_type   text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (sequence) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

-- A transaction id seen again with a different payload hash: never applied, kept for ops.
CREATE TABLE payload_conflicts (
  conflict_id        bigserial PRIMARY KEY,
  transaction_id     uuid NOT NULL,
  existing_hash      text,
  new_hash           text,
  original_topic     text NOT NULL,
  original_partition integer NOT NULL,
  original_offset    bigint NOT NULL,
  seen_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payload_conflicts_transaction ON payload_conflicts (transaction_id);

-- Kafka positions written in the same database transaction as the rows they cover.
CREATE TABLE consumer_offsets (
  group_id    text NOT NULL,
  topic       text NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- Audit of DLQ replays run by the ops CLI.
CREATE TABLE dlq_replays (
  replay_id      uuid PRIMARY KEY,
  operator       text NOT NULL,
  filter         jsonb NOT NULL DEFAULT '{}',
  dry_run        boolean NOT NULL,
  selected_count integer NOT NULL DEFAULT 0,
  replayed_count integer NOT NULL DEFAULT 0,
  refused_count  integer NOT NULL DEFAULT 0,
  parked_count   integer NOT NULL DEFAULT 0,
  started_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);

-- Down Migration
DROP TABLE dlq_replays;
DROP TABLE consumer_offsets;
DROP TABLE payload_conflicts;
DROP TABLE outbox;
DROP TABLE account_balances;
DROP TABLE postings;
DROP TABLE transactions;
