// What the sink commits to Kafka after a batch. A record's offset + 1 leaves a transaction's commit marker
// behind it, so a caught-up group would report lag 1 per partition forever. When every fetched record has
// been handed out and written (nothing buffered), the stream's fetch position — past the markers — is safe
// to commit for every partition of the stream. Postgres keeps record offsets; a resume takes the larger.
import type { BatchReader, ConsumedRecord } from "@ledgerline/kafka";
import type { MessagesStream } from "@platformatic/kafka";

/** Fetch positions by "topic:partition" when nothing fetched is still unprocessed; otherwise undefined. */
export const caughtUpPositions = (
  reader: BatchReader,
  stream: MessagesStream<string, Buffer, string, Buffer>,
): ReadonlyMap<string, bigint> | undefined =>
  reader.buffered === 0 && stream.readableLength === 0 ? new Map(stream.offsetsToFetch) : undefined;

/** The commit for a processed batch: each partition's last record + 1, or the caught-up position beyond it. */
export const offsetsToCommit = (
  records: readonly ConsumedRecord[],
  caughtUp: ReadonlyMap<string, bigint> | undefined,
) => {
  const commits = new Map<
    string,
    { topic: string; partition: number; offset: bigint; leaderEpoch: number }
  >();
  for (const r of records)
    commits.set(`${r.topic}:${r.partition}`, {
      topic: r.topic,
      partition: r.partition,
      offset: r.offset + 1n,
      leaderEpoch: r.leaderEpoch,
    });
  for (const [key, position] of caughtUp ?? []) {
    const current = commits.get(key);
    if (current && current.offset >= position) continue;
    const split = key.lastIndexOf(":");
    commits.set(key, {
      topic: key.slice(0, split),
      partition: Number(key.slice(split + 1)),
      offset: position,
      leaderEpoch: current?.leaderEpoch ?? -1,
    });
  }
  return [...commits.values()];
};
