// What the outbox relay published: transactions.posted read under read_committed, decoded with the
// contract's own schema (schemas/avro; the Confluent wire format's 5-byte header skipped), so the ledger
// invariants can check every posted transaction's event once its outbox row is gone.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createReadCommittedConsumer, FetchIsolationLevels, type KafkaSecurity } from "@ledgerline/kafka";
import avro from "avsc";
import { REPO_ROOT } from "./repoRoot.ts";

/** Where the relay publishes: the brokers and the namespace's transactions.posted topic. */
export interface PostedTopic {
  readonly bootstrapBrokers: readonly string[];
  readonly topic: string;
  /** SASL and TLS for a secured cluster (the ops CLI's); absent = plain text. */
  readonly security?: KafkaSecurity;
}

export interface PostedEvent {
  readonly event_id: string;
  readonly transaction_id: string;
}

let postedType: avro.Type | undefined;
const decodePosted = (value: Buffer): PostedEvent => {
  postedType ??= avro.Type.forSchema(
    JSON.parse(readFileSync(resolve(REPO_ROOT, "schemas/avro/TransactionPosted.avsc"), "utf8")),
  );
  return postedType.fromBuffer(value.subarray(5)) as PostedEvent;
};

/** Reads the topic from the start until `done` holds for what was read, or the timeout; returns it all. */
export const readPostedEvents = async (
  posted: PostedTopic,
  done: (seen: readonly PostedEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<PostedEvent[]> => {
  const seen: PostedEvent[] = [];
  const consumer = createReadCommittedConsumer(
    { bootstrapBrokers: posted.bootstrapBrokers, clientId: "ledger-invariants" },
    `ledger-invariants-${randomUUID()}`,
  );
  try {
    if (done(seen)) return seen;
    const stream = await consumer.consume({ topics: [posted.topic], mode: "earliest" });
    const deadline = setTimeout(() => stream.close(), timeoutMs);
    try {
      for await (const message of stream) {
        seen.push(decodePosted(message.value));
        if (done(seen)) break;
      }
    } finally {
      clearTimeout(deadline);
      await stream.close();
    }
  } finally {
    await consumer.close(true);
  }
  return seen;
};

/**
 * Every event on the topic, from the start to its end as it was when the read began (read_committed, so
 * aborted transactions' records are skipped), in batches: what `ledgerline reconcile` checks the ledger's
 * posted transactions against. `onRead` gets the records read so far and the total to read.
 */
export async function* readAllPostedEvents(
  posted: PostedTopic,
  onRead?: (read: number, total: number) => void,
  timeoutMs = 600_000,
): AsyncGenerator<PostedEvent[]> {
  const consumer = createReadCommittedConsumer(
    {
      bootstrapBrokers: posted.bootstrapBrokers,
      clientId: "ledgerline-reconcile",
      ...(posted.security ? { security: posted.security } : {}),
    },
    `ledgerline-reconcile-${randomUUID()}`,
  );
  try {
    const ends =
      (
        await consumer.listOffsets({
          topics: [posted.topic],
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        })
      ).get(posted.topic) ?? [];
    const total = ends.reduce((sum, end) => sum + Number(end), 0);
    onRead?.(0, total);
    if (total === 0) return;
    const stream = await consumer.consume({ topics: [posted.topic], mode: "earliest" });
    const reached = () =>
      ends.every((end, p) => (stream.offsetsToFetch.get(`${posted.topic}:${p}`) ?? 0n) >= end);
    const deadline = setTimeout(() => stream.close(), timeoutMs);
    // The last offsets may be transaction markers, never delivered: the positions tell the end is reached.
    const poll = setInterval(() => {
      if (reached()) void stream.close();
    }, 100);
    let read = 0;
    let batch: PostedEvent[] = [];
    try {
      for await (const message of stream) {
        const partitionEnd = ends[message.partition] ?? 0n;
        if (message.offset < partitionEnd) batch.push(decodePosted(message.value));
        read += 1;
        if (batch.length >= 10_000) {
          onRead?.(read, total);
          yield batch;
          batch = [];
        }
      }
      if (!reached()) throw new Error(`${posted.topic} not read to its end in ${timeoutMs} ms`);
      onRead?.(total, total);
      if (batch.length > 0) yield batch;
    } finally {
      clearTimeout(deadline);
      clearInterval(poll);
      await stream.close();
    }
  } finally {
    await consumer.close(true);
  }
}
