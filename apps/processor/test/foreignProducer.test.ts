// Records written by another team's producer (plain avsc + raw Kafka client, an older schema) are processed.
import { randomUUID } from "node:crypto";
import { createTestNamespace, type TestNamespace } from "@ledgerline/testkit";
import { ProduceAcks, Producer, stringSerializer } from "@platformatic/kafka";
import avro from "avsc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectOutputs,
  env,
  frame,
  publishReferenceRates,
  register,
  settingsFor,
  startProcessor,
} from "./helpers.ts";

/** Version 1 of TransactionRequested: before client_id, idempotency_key and metadata existed. */
const olderSchema = {
  type: "record",
  name: "TransactionRequested",
  namespace: "io.ledgerline.transactions",
  fields: [
    { name: "transaction_id", type: { type: "string", logicalType: "uuid" } },
    { name: "account_id", type: "string" },
    { name: "amount_minor", type: "long" },
    { name: "currency", type: "string" },
    { name: "merchant_name", type: "string" },
    { name: "occurred_at", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "accepted_at", type: { type: "long", logicalType: "timestamp-millis" } },
  ],
};

/** Something else entirely, registered under another subject: it cannot resolve to our reader schema. */
const unrelatedSchema = {
  type: "record",
  name: "Heartbeat",
  namespace: "com.example.other",
  fields: [{ name: "beat", type: "int" }],
};

describe("foreign producer", () => {
  let ns: TestNamespace;
  let processor: ReturnType<typeof startProcessor>;

  beforeAll(async () => {
    ns = await createTestNamespace("procforeign");
    await publishReferenceRates(ns);
  });
  afterAll(async () => {
    await processor?.stop();
    await ns?.cleanup();
  });

  it("accepts an older compatible schema and dead-letters an unresolvable one", async () => {
    const olderId = await register(ns.names.valueSubject("requested"), olderSchema);
    const unrelatedId = await register(`${ns.namespace}.unrelated-value`, unrelatedSchema);
    const id = randomUUID();
    const now = Date.now();
    const older = frame(
      olderId,
      avro.Type.forSchema(olderSchema as avro.Schema).toBuffer({
        transaction_id: id,
        account_id: "ACC-4242",
        amount_minor: 50_000,
        currency: "JPY",
        merchant_name: "Starbucks Shibuya",
        occurred_at: now - 1_000,
        accepted_at: now,
      }),
    );
    const unrelated = frame(
      unrelatedId,
      avro.Type.forSchema(unrelatedSchema as avro.Schema).toBuffer({ beat: 1 }),
    );

    const producer = new Producer({
      clientId: "foreign-team",
      bootstrapBrokers: env.brokers,
      acks: ProduceAcks.ALL,
      serializers: { key: stringSerializer },
    });
    await producer.send({
      messages: [
        { topic: ns.names.topic("requested"), key: "ACC-4242", value: older },
        { topic: ns.names.topic("requested"), key: "ACC-9", value: unrelated },
      ],
    });
    await producer.close();

    processor = startProcessor(settingsFor(ns));
    const outputs = await collectOutputs(ns, (items) => items.length >= 2);
    expect(outputs).toHaveLength(2);
    const validated = outputs.find((o) => o.topicId === "validated")!;
    expect(validated.value).toMatchObject({
      transaction_id: id,
      amount_minor: 50_000n,
      currency: "JPY",
      client_id: "external", // the reader schema's default
      metadata: {},
      merchant_category: "restaurants",
      base_amount_minor: 33_170n, // 50,000 JPY × 0.006634 = 331.70 USD
    });
    const dead = outputs.find((o) => o.topicId === "dlq")!;
    // RegistryCodec reports avsc's "no alias found" as MALFORMED_PAYLOAD (reported to its owner); either way: DLQ.
    expect(dead.value.reason_code).toMatch(/^(SCHEMA_MISMATCH|MALFORMED_PAYLOAD)$/);
    expect(dead.value.error_class).toBe("RegistryError");
    expect(dead.value.original_value).toEqual(unrelated);
  });
});
