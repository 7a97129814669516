// Test helpers: write dead letters straight into a namespace's DLQ, and read a topic to its end.
import { randomUUID } from "node:crypto";
import type { DeadLetter, TransactionRequested } from "@ledgerline/contracts";
import {
  createIdempotentProducer,
  createReadCommittedConsumer,
  deadLetterHeaders,
  FetchIsolationLevels,
  type KafkaConnection,
} from "@ledgerline/kafka";
import type { RegistryCodec } from "@ledgerline/schema-registry";
import { requestedRecord } from "@ledgerline/testkit";

export const requestFor = (account: string): TransactionRequested =>
  requestedRecord({
    account_id: account,
    amount_minor: 12_345n,
    merchant_name: "Chicago Retail Hub",
    occurred_at: new Date(Date.now() - 60_000),
    accepted_at: new Date(Date.now() - 60_000),
  });

export interface DeadLetterSpec {
  readonly reason: string;
  readonly retryable: boolean;
  readonly stage?: string;
  readonly account: string;
  /** Undefined: a valid TransactionRequested; a Buffer: these bytes as the original value. */
  readonly rawValue?: Buffer;
  /** With the DLQ headers a stage writes today; without (default), a letter from before them. */
  readonly headers?: boolean;
}

/** Writes envelopes as a stage would; returns each one's transaction id (null for raw bytes). */
export const deadLetter = async (
  connection: KafkaConnection,
  codec: RegistryCodec,
  specs: readonly DeadLetterSpec[],
): Promise<(string | null)[]> => {
  const producer = createIdempotentProducer(connection);
  try {
    const ids: (string | null)[] = [];
    const messages = [];
    for (const [index, spec] of specs.entries()) {
      const request = spec.rawValue ? undefined : requestFor(spec.account);
      const value = spec.rawValue ?? (await codec.encode("requested", request));
      const envelope: DeadLetter = {
        transaction_id: request?.transaction_id ?? null,
        stage: spec.stage ?? "processor",
        reason_code: spec.reason,
        error_class: spec.retryable ? "TransientError" : "PoisonError",
        error_message: `test dead letter ${index}`,
        retryable: spec.retryable,
        original_topic: codec.names.topic("requested"),
        original_partition: 0,
        original_offset: BigInt(index),
        original_timestamp: new Date(),
        original_key: Buffer.from(spec.account),
        original_value: value,
        original_headers: { "test-header": Buffer.from("kept") },
        attempts: 3,
        replay_count: 0,
        dead_lettered_at: new Date(),
      };
      ids.push(envelope.transaction_id);
      messages.push({
        topic: codec.names.topic("dlq"),
        key: spec.account,
        value: await codec.encode("dlq", envelope),
        ...(spec.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(deadLetterHeaders(envelope)).map(([name, text]) => [name, Buffer.from(text)]),
              ),
            }
          : {}),
      });
    }
    await producer.send({ messages });
    return ids;
  } finally {
    await producer.close();
  }
};

export interface ReadRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | undefined;
  readonly value: Buffer | undefined;
  readonly headers: Record<string, string>;
}

/** Every committed record of a topic, read to its last stable offset. */
export const readTopic = async (connection: KafkaConnection, topic: string): Promise<ReadRecord[]> => {
  const consumer = createReadCommittedConsumer(connection, `test-read-${randomUUID()}`);
  try {
    const ends =
      (
        await consumer.listOffsets({ topics: [topic], isolationLevel: FetchIsolationLevels.READ_COMMITTED })
      ).get(topic) ?? [];
    if (ends.every((end) => end === 0n)) return [];
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    const records: ReadRecord[] = [];
    stream.on("data", (m) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of m.headers ?? [])
        headers[String(k)] = Buffer.isBuffer(v) ? v.toString("utf8") : String(v);
      if (m.offset < (ends[m.partition] ?? 0n))
        records.push({ partition: m.partition, offset: m.offset, key: m.key, value: m.value, headers });
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (ends.every((end, p) => (stream.offsetsToFetch.get(`${topic}:${p}`) ?? 0n) >= end)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await stream.close();
    return records;
  } finally {
    await consumer.close(true);
  }
};
