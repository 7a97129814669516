// Records each consumer has left at the end: the processor's group in Kafka, the sink's stored positions
// in Postgres.
import { names } from "@ledgerline/catalogue";
import { createAdmin, type KafkaConnection } from "@ledgerline/kafka";
import { type DatabasePool, readPositions } from "@ledgerline/ledger-db";
import { FetchIsolationLevels, ListOffsetTimestamps } from "@platformatic/kafka";

/** Records each consumer has left: the processor group's committed offsets, the sink's stored positions. */
export const endLag = async (connection: KafkaConnection, pool: DatabasePool, resolved = names("")) => {
  const admin = createAdmin(connection);
  try {
    const topics = (["requested", "validated", "rejected", "dlq"] as const).map((id) => resolved.topic(id));
    // A copy: the client sorts the array it is given, in place.
    const metadata = await admin.metadata({ topics: [...topics] });
    const partitionsOf = (name: string) =>
      Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, i) => i);
    const ends = await admin.listOffsets({
      topics: topics.map((name) => ({
        name,
        partitions: partitionsOf(name).map((partitionIndex) => ({
          partitionIndex,
          timestamp: ListOffsetTimestamps.LATEST,
        })),
      })),
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    const endOf = (name: string, partition: number) =>
      ends.find((t) => t.name === name)?.partitions.find((p) => p.partitionIndex === partition)?.offset ?? 0n;
    const [processorGroup] = await admin.listConsumerGroupOffsets({
      groups: [
        {
          groupId: resolved.group("processor"),
          topics: [
            {
              name: resolved.topic("requested"),
              partitionIndexes: partitionsOf(resolved.topic("requested")),
            },
          ],
        },
      ],
      requireStable: true,
    });
    const stored = new Map(
      (await readPositions(pool, resolved.group("ledgerSink"))).map((p) => [
        `${p.topic}:${p.partition}`,
        p.nextOffset,
      ]),
    );
    const lag: { group: string; topic: string; partition: number; lag: number }[] = [];
    for (const p of partitionsOf(resolved.topic("requested"))) {
      const committed =
        processorGroup?.topics[0]?.partitions.find((c) => c.partitionIndex === p)?.committedOffset ?? -1n;
      const end = endOf(resolved.topic("requested"), p);
      lag.push({
        group: "processor",
        topic: "requested",
        partition: p,
        lag: Number(end - (committed < 0n ? 0n : committed)),
      });
    }
    for (const name of topics.slice(1)) {
      for (const p of partitionsOf(name)) {
        const end = endOf(name, p);
        const position = stored.get(`${name}:${p}`) ?? 0n;
        lag.push({
          group: "ledger-sink",
          topic: resolved.topicIdOf(name) ?? name,
          partition: p,
          lag: Number(end > position ? end - position : 0n),
        });
      }
    }
    return lag;
  } finally {
    await admin.close().catch(() => undefined);
  }
};
