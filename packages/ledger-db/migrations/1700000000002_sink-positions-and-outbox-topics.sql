-- Up Migration
-- Kafka's id of the topic each stored offset belongs to. A re-created topic, or another Kafka cluster
-- behind the same ledger, has another id: its offsets are never taken for "already applied".
ALTER TABLE consumer_offsets ADD COLUMN topic_id uuid;

-- Operator decisions about partitions the sink stopped (records deleted by retention before they were
-- applied; a topic of another incarnation). Written by `ledgerline sink skip-gap | accept-topic` in the
-- same transaction that moves the stored position: the audit of every skipped record range.
CREATE TABLE sink_position_decisions (
  decision_id  bigserial PRIMARY KEY,
  group_id     text NOT NULL,
  topic        text NOT NULL,
  partition    integer NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('skip_gap', 'accept_topic')),
  from_offset  bigint,
  to_offset    bigint NOT NULL,
  old_topic_id uuid,
  new_topic_id uuid,
  operator     text NOT NULL,
  reason       text NOT NULL,
  decided_at   timestamptz NOT NULL DEFAULT now()
);

-- Which sink instance holds which partition, written at every assignment (ops and the rebalance tests).
CREATE TABLE sink_assignments (
  group_id    text NOT NULL,
  topic       text NOT NULL,
  partition   integer NOT NULL,
  instance_id text NOT NULL,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- Outbox rows name their topic: transactions.posted, or the DLQ for what the sink itself dead-letters
-- (published after the commit, never from inside a database transaction). A row the relay cannot encode
-- is parked with its reason instead of blocking every shard; ops retry it with the CLI.
ALTER TABLE outbox ADD COLUMN topic_id text NOT NULL DEFAULT 'posted';
ALTER TABLE outbox ADD COLUMN parked_at timestamptz;
ALTER TABLE outbox ADD COLUMN park_reason text;
DROP INDEX outbox_unpublished;
CREATE INDEX outbox_unpublished ON outbox (sequence) WHERE published_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_parked ON outbox (parked_at) WHERE parked_at IS NOT NULL;

-- Down Migration
DROP INDEX outbox_parked;
DROP INDEX outbox_unpublished;
CREATE INDEX outbox_unpublished ON outbox (sequence) WHERE published_at IS NULL;
ALTER TABLE outbox DROP COLUMN park_reason;
ALTER TABLE outbox DROP COLUMN parked_at;
ALTER TABLE outbox DROP COLUMN topic_id;
DROP TABLE sink_assignments;
DROP TABLE sink_position_decisions;
ALTER TABLE consumer_offsets DROP COLUMN topic_id;
