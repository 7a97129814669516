-- Up Migration
-- Each sink instance claims the partitions Kafka assigns it: the claim raises the partition's epoch, and
-- every batch the sink writes checks (FOR SHARE, in its own transaction) that the epoch is still the one it
-- claimed. A sink that lost a partition in a rebalance but still has a batch in flight cannot write it
-- once the new owner has claimed the partition, and the new owner's claim waits for a write in progress:
-- two instances never write one partition's ledger rows and offsets at once.
-- Used by: claimPartitions and verifyClaims (packages/ledger-db/src/LedgerWrites.ts).
ALTER TABLE sink_assignments ADD COLUMN epoch bigint NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE sink_assignments DROP COLUMN epoch;
