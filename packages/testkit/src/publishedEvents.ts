// What the outbox relay published: transactions.posted read under read_committed, decoded with the
// contract's own schema (schemas/avro; the Confluent wire format's 5-byte header skipped), so the ledger
// invariants can check every posted transaction's event once its outbox row is gone.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createReadCommittedConsumer } from "@ledgerline/kafka";
import avro from "avsc";
import { REPO_ROOT } from "./pipeline.ts";

/** Where the relay publishes: the brokers and the namespace's transactions.posted topic. */
export interface PostedTopic {
  readonly bootstrapBrokers: readonly string[];
  readonly topic: string;
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
