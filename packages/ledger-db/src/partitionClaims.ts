// Which sink instance holds which partition (sink_assignments): claimed on assignment with a raised epoch,
// verified in every batch's transaction, so a previous holder's late batch is refused.
import type { CommonQueryMethods, DatabaseTransactionConnection } from "slonik";
import { sql } from "slonik";
import { LedgerDbError } from "./LedgerDbError.ts";
import { positionKey } from "./storedPositions.ts";

/** Partition → the epoch at which this instance claimed it (claimPartitions; look up with holdsPartition). */
export type ClaimedPartitions = ReadonlyMap<string, string>;

export const holdsPartition = (claimed: ClaimedPartitions, topic: string, partition: number): boolean =>
  claimed.has(positionKey(topic, partition));

const partitionsJson = (partitions: readonly { readonly topic: string; readonly partition: number }[]) =>
  sql.json(partitions.map((p) => ({ topic: p.topic, partition: p.partition })));

/**
 * Claims the partitions Kafka just assigned to this instance: records it as their holder and raises each
 * one's epoch. Waits for a batch another instance is writing to them (verifyClaims holds their rows);
 * any batch of a previous holder that commits later is refused. Returns the epochs claimed.
 */
export const claimPartitions = async (
  db: CommonQueryMethods,
  groupId: string,
  instanceId: string,
  partitions: readonly { readonly topic: string; readonly partition: number }[],
): Promise<ClaimedPartitions> => {
  if (partitions.length === 0) return new Map();
  const rows = (await db.any(sql.unsafe`
    INSERT INTO sink_assignments (group_id, topic, partition, instance_id, epoch)
    SELECT ${groupId}, a.topic, a.partition, ${instanceId}, 1
    FROM json_to_recordset(${partitionsJson(partitions)}) AS a(topic text, partition int)
    ORDER BY a.topic, a.partition
    ON CONFLICT (group_id, topic, partition) DO UPDATE
      SET instance_id = EXCLUDED.instance_id, assigned_at = now(), epoch = sink_assignments.epoch + 1
    RETURNING topic, partition, epoch::text AS epoch`)) as readonly {
    topic: string;
    partition: number;
    epoch: string;
  }[];
  return new Map(rows.map((row) => [positionKey(row.topic, row.partition), row.epoch]));
};

/**
 * In a batch's transaction: every partition it writes is still held at the epoch this instance claimed,
 * or the batch fails with TAKEN_OVER (another instance claimed one since: this one's assignment is stale).
 * The rows stay share-locked until the transaction ends, so a new claim waits for this write.
 */
export const verifyClaims = async (
  tx: DatabaseTransactionConnection,
  groupId: string,
  partitions: readonly { readonly topic: string; readonly partition: number }[],
  claimed: ClaimedPartitions,
) => {
  if (partitions.length === 0) return;
  const rows = (await tx.any(sql.unsafe`
    SELECT topic, partition, epoch::text AS epoch FROM sink_assignments
    WHERE group_id = ${groupId}
      AND (topic, partition) IN (
        SELECT * FROM json_to_recordset(${partitionsJson(partitions)}) AS c(topic text, partition int))
    ORDER BY topic, partition
    FOR SHARE`)) as readonly { topic: string; partition: number; epoch: string }[];
  const live = new Map(rows.map((row) => [positionKey(row.topic, row.partition), row.epoch]));
  const lost = partitions.filter((p) => {
    const key = positionKey(p.topic, p.partition);
    return claimed.get(key) === undefined || live.get(key) !== claimed.get(key);
  });
  if (lost.length > 0) {
    throw new LedgerDbError({
      reason: "TAKEN_OVER",
      message: `${lost.map((p) => `${p.topic}[${p.partition}]`).join(", ")}: claimed by another instance since this one's assignment (or never claimed by it)`,
    });
  }
};
