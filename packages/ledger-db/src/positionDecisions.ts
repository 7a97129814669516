// An operator's decision about a partition the ledger sink stopped, recorded in the audit table in the
// same transaction that moves its stored position: skip records that retention deleted before they were
// applied, or accept a topic of another incarnation (re-created, or another cluster) from its start.
import type { DatabasePool } from "slonik";
import { sql } from "slonik";

export interface PositionDecision {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly kind: "skip_gap" | "accept_topic";
  /** The stored position it replaces (null: none). */
  readonly fromOffset: bigint | null;
  readonly toOffset: bigint;
  readonly oldTopicId: string | null;
  readonly newTopicId: string;
  readonly operator: string;
  readonly reason: string;
}

export interface RecordedDecision extends PositionDecision {
  readonly decisionId: bigint;
  readonly decidedAt: string;
}

/** Records the decision and sets the stored position to `toOffset` for `newTopicId`, atomically. */
export const recordPositionDecision = (pool: DatabasePool, decision: PositionDecision) =>
  pool.transaction(async (tx) => {
    const current = await tx.maybeOne(sql.unsafe`
      SELECT next_offset FROM consumer_offsets
      WHERE group_id = ${decision.groupId} AND topic = ${decision.topic} AND partition = ${decision.partition}
      FOR UPDATE`);
    const stored = (current as { next_offset: bigint } | null)?.next_offset ?? null;
    if (stored !== decision.fromOffset) {
      throw new Error(
        `${decision.topic}[${decision.partition}] is at ${stored ?? "no stored offset"} now, not ${decision.fromOffset ?? "none"}: look again (ledgerline sink positions)`,
      );
    }
    await tx.query(sql.unsafe`
      INSERT INTO sink_position_decisions (group_id, topic, partition, kind, from_offset, to_offset, old_topic_id,
        new_topic_id, operator, reason)
      VALUES (${decision.groupId}, ${decision.topic}, ${decision.partition}, ${decision.kind},
        ${decision.fromOffset === null ? null : decision.fromOffset.toString()}, ${decision.toOffset.toString()},
        ${decision.oldTopicId}, ${decision.newTopicId}, ${decision.operator}, ${decision.reason})`);
    // Set, not GREATEST: accepting another topic incarnation may move the position back to its start.
    await tx.query(sql.unsafe`
      INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, topic_id)
      VALUES (${decision.groupId}, ${decision.topic}, ${decision.partition}, ${decision.toOffset.toString()}, ${decision.newTopicId})
      ON CONFLICT (group_id, topic, partition) DO UPDATE
        SET next_offset = EXCLUDED.next_offset, topic_id = EXCLUDED.topic_id, updated_at = now()`);
  });

export const listPositionDecisions = async (
  pool: DatabasePool,
  groupId: string,
): Promise<RecordedDecision[]> => {
  const rows = (await pool.any(sql.unsafe`
    SELECT decision_id, group_id, topic, partition, kind, from_offset, to_offset, old_topic_id::text, new_topic_id::text,
      operator, reason, to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS decided_at
    FROM sink_position_decisions WHERE group_id = ${groupId} ORDER BY decision_id`)) as readonly Record<
    string,
    unknown
  >[];
  return rows.map((row) => ({
    decisionId: row.decision_id as bigint,
    groupId: row.group_id as string,
    topic: row.topic as string,
    partition: row.partition as number,
    kind: row.kind as PositionDecision["kind"],
    fromOffset: (row.from_offset as bigint | null) ?? null,
    toOffset: row.to_offset as bigint,
    oldTopicId: (row.old_topic_id as string | null) ?? null,
    newTopicId: row.new_topic_id as string,
    operator: row.operator as string,
    reason: row.reason as string,
    decidedAt: row.decided_at as string,
  }));
};
