// The sink's stored positions (consumer_offsets): where each partition resumes, written in the same
// transaction as the rows they cover.
import type { CommonQueryMethods, DatabaseTransactionConnection } from "slonik";
import { sql } from "slonik";
import type { StoredPosition } from "./ledgerRows.ts";

export const positionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

type PositionRow = { topic: string; partition: number; next_offset: bigint; topic_id: string | null };
const toPosition = (row: PositionRow): StoredPosition => ({
  topic: row.topic,
  partition: row.partition,
  nextOffset: row.next_offset,
  topicId: row.topic_id,
});

/** Every stored position of a group (resume planning; no lock). */
export const readPositions = async (db: CommonQueryMethods, groupId: string): Promise<StoredPosition[]> =>
  (
    (await db.any(sql.unsafe`
    SELECT topic, partition, next_offset, topic_id::text AS topic_id FROM consumer_offsets
    WHERE group_id = ${groupId} ORDER BY topic, partition`)) as readonly PositionRow[]
  ).map(toPosition);

/**
 * The stored positions of the batch's partitions, locked (FOR UPDATE, in a fixed order): a zombie instance
 * writing the same partition waits here, then sees our positions and finds its records already applied.
 */
export const lockPositions = async (
  tx: DatabaseTransactionConnection,
  groupId: string,
  partitions: readonly { readonly topic: string; readonly partition: number }[],
): Promise<ReadonlyMap<string, StoredPosition>> => {
  if (partitions.length === 0) return new Map();
  const rows = (await tx.any(sql.unsafe`
    SELECT topic, partition, next_offset, topic_id::text AS topic_id FROM consumer_offsets
    WHERE group_id = ${groupId}
      AND (topic, partition) IN (
        SELECT * FROM json_to_recordset(${sql.json(partitions.map((p) => ({ topic: p.topic, partition: p.partition })))})
          AS c(topic text, partition int))
    ORDER BY topic, partition
    FOR UPDATE`)) as readonly PositionRow[];
  return new Map(rows.map((row) => [positionKey(row.topic, row.partition), toPosition(row)]));
};

export const storedPositionOf = (
  positions: ReadonlyMap<string, StoredPosition>,
  topic: string,
  partition: number,
): StoredPosition | undefined => positions.get(positionKey(topic, partition));

/** Moves the stored positions forward (never back) and records the topic id they belong to. */
export const storePositions = async (
  tx: CommonQueryMethods,
  groupId: string,
  positions: readonly StoredPosition[],
) => {
  if (positions.length === 0) return;
  await tx.query(sql.unsafe`
    INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, topic_id)
    SELECT ${groupId}, o.topic, o.partition, o.next_offset, o.topic_id
    FROM json_to_recordset(${sql.json(
      positions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        next_offset: p.nextOffset.toString(),
        topic_id: p.topicId,
      })),
    )}) AS o(topic text, partition int, next_offset bigint, topic_id uuid)
    ORDER BY o.topic, o.partition
    ON CONFLICT (group_id, topic, partition) DO UPDATE
      SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset),
        topic_id = coalesce(EXCLUDED.topic_id, consumer_offsets.topic_id), updated_at = now()`);
};
