// The broker-level guarantee exactly-once rests on: read_committed consumers see committed
// transactional records and never aborted ones.

import {
  createReadCommittedConsumer,
  createTransactionalProducer,
  type RecordConsumer,
} from "@ledgerline/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNamespace, type TestNamespace, testEnvironment } from "../src/index.ts";

describe("transactions and read_committed", () => {
  let ns: TestNamespace;
  beforeAll(async () => {
    ns = await createTestNamespace("txn", { only: ["requested"] });
  });
  afterAll(() => ns?.cleanup());

  const readAll = async (consumer: RecordConsumer, topic: string, expected: number) => {
    const stream = await consumer.consume({ topics: [topic], mode: "earliest" });
    const seen: string[] = [];
    const deadline = setTimeout(() => stream.close(), 15_000);
    for await (const message of stream) {
      seen.push(message.value.toString());
      if (seen.length >= expected) break;
    }
    clearTimeout(deadline);
    await stream.close();
    return seen;
  };

  it("shows committed records and hides aborted ones", async () => {
    const connection = { bootstrapBrokers: testEnvironment().brokers, clientId: "txn-test" };
    const topic = ns.names.topic("requested");
    const producer = createTransactionalProducer(
      connection,
      ns.names.transactionalId("processor", "txn-test"),
    );
    try {
      const aborted = await producer.beginTransaction();
      await aborted.send({
        messages: [{ topic, key: "ACC-1", value: Buffer.from("aborted-1"), partition: 0 }],
      });
      await aborted.abort();

      const committed = await producer.beginTransaction();
      await committed.send({
        messages: [{ topic, key: "ACC-1", value: Buffer.from("committed-1"), partition: 0 }],
      });
      await committed.commit();

      const marker = await producer.beginTransaction();
      await marker.send({
        messages: [{ topic, key: "ACC-1", value: Buffer.from("committed-2"), partition: 0 }],
      });
      await marker.commit();
    } finally {
      await producer.close();
    }

    const consumer = createReadCommittedConsumer(connection, `${ns.namespace}.reader`);
    try {
      expect(await readAll(consumer, topic, 2)).toEqual(["committed-1", "committed-2"]);
    } finally {
      await consumer.close(true);
    }
  });
});
