// The ledger sink's partitions as ops see them: the position Postgres stores (and the topic id it was
// read from), the log's start and end and topic id now, who holds the partition, and the verdict of
// resumePosition — the same function the sink decides with.

import { createAdmin, type KafkaConnection } from "@ledgerline/kafka";
import {
  createLedgerPool,
  type DatabasePool,
  type ResumeDecision,
  readPositions,
  resumePosition,
  sql,
} from "@ledgerline/ledger-db";
import { FetchIsolationLevels, ListOffsetTimestamps } from "@platformatic/kafka";
import { Redacted } from "effect";

export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  readonly stored: bigint | null;
  readonly storedTopicId: string | null;
  readonly logStart: bigint;
  readonly logEnd: bigint;
  readonly topicId: string;
  readonly heldBy: string | null;
  readonly decision: ResumeDecision;
}

export const withPool = async <A>(
  databaseUrl: Redacted.Redacted<string>,
  work: (pool: DatabasePool) => Promise<A>,
) => {
  const pool = await createLedgerPool(Redacted.value(databaseUrl), { maximumPoolSize: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
};

export const sinkPositions = async (
  connection: KafkaConnection,
  pool: DatabasePool,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionPosition[]> => {
  const admin = createAdmin(connection);
  try {
    const metadata = await admin.metadata({ topics: [...topics] });
    const partitions = topics.map((name) => ({
      name,
      partitions: Array.from(
        { length: metadata.topics.get(name)?.partitionsCount ?? 0 },
        (_, partitionIndex) => partitionIndex,
      ),
    }));
    const list = (timestamp: bigint) =>
      admin.listOffsets({
        topics: partitions.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, timestamp })),
        })),
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      });
    const [starts, ends] = await Promise.all([
      list(ListOffsetTimestamps.EARLIEST),
      list(ListOffsetTimestamps.LATEST),
    ]);
    const offsetOf = (listed: typeof starts, topic: string, partition: number) =>
      listed.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)?.offset ??
      0n;
    const stored = new Map((await readPositions(pool, groupId)).map((p) => [`${p.topic}:${p.partition}`, p]));
    const held = new Map(
      (
        (await pool.any(sql.unsafe`
        SELECT topic, partition, instance_id FROM sink_assignments WHERE group_id = ${groupId}`)) as readonly {
          topic: string;
          partition: number;
          instance_id: string;
        }[]
      ).map((row) => [`${row.topic}:${row.partition}`, row.instance_id]),
    );
    return partitions.flatMap((t) =>
      t.partitions.map((partition) => {
        const topicId = metadata.topics.get(t.name)?.id ?? "";
        const position = stored.get(`${t.name}:${partition}`);
        const log = {
          topic: t.name,
          partition,
          topicId,
          earliest: offsetOf(starts, t.name, partition),
          latest: offsetOf(ends, t.name, partition),
        };
        return {
          topic: t.name,
          partition,
          stored: position?.nextOffset ?? null,
          storedTopicId: position?.topicId ?? null,
          logStart: log.earliest,
          logEnd: log.latest,
          topicId,
          heldBy: held.get(`${t.name}:${partition}`) ?? null,
          decision: resumePosition(position, log),
        };
      }),
    );
  } finally {
    await admin.close().catch(() => undefined);
  }
};
