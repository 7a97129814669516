// Records written by another team's producer (plain avsc + raw Kafka client, an older schema) are processed.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createTestNamespace, type TestNamespace } from "@ledgerline/testkit";
import { ProduceAcks, Producer, stringSerializer } from "@platformatic/kafka";
import avro from "avsc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectOutputs,
  env,
  frame,
  produce,
  publishReferenceRates,
  register,
  request,
  settingsFor,
  startProcessor,
} from "./helpers.ts";

/** An early TransactionRequested, before client_id, idempotency_key and metadata existed. */
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

/** Contract version 1 of TransactionRequested (before kinds): what a producer not yet upgraded writes. */
const version1 = JSON.parse(
  readFileSync(
    new URL("../../../schemas/avro/history/TransactionRequested.v1.avsc", import.meta.url),
    "utf8",
  ),
) as avro.Schema;

describe("producers on either contract version", () => {
  let ns: TestNamespace;
  let processor: ReturnType<typeof startProcessor>;

  beforeAll(async () => {
    ns = await createTestNamespace("procversions");
    await publishReferenceRates(ns);
  });
  afterAll(async () => {
    await processor?.stop();
    await ns?.cleanup();
  });

  it("a version 1 record is validated as a payment; a version 2 transfer and refund keep their kind", async () => {
    // The subject holds version 1 (topology registers the history first): registering it again gives its id.
    const v1Id = await register(ns.names.valueSubject("requested"), version1 as object);
    const latest = (await (
      await fetch(
        `${env.registryUrl}/subjects/${encodeURIComponent(ns.names.valueSubject("requested"))}/versions/latest`,
      )
    ).json()) as { id: number };
    expect(latest.id).not.toBe(v1Id);
    const paymentId = randomUUID();
    const now = Date.now();
    const v1Record = frame(
      v1Id,
      avro.Type.forSchema(version1).toBuffer({
        transaction_id: paymentId,
        account_id: "ACC-V1",
        amount_minor: 2_500,
        currency: "USD",
        merchant_name: "Old Producer Shop",
        occurred_at: now - 1_000,
        accepted_at: now,
        client_id: "legacy-team",
        idempotency_key: null,
        metadata: { source: "v1" },
      }),
    );
    const transfer = request({
      account_id: "ACC-V2",
      type: "transfer",
      counterparty_account_id: "ACC-V2-SAVINGS",
      merchant_name: "",
      currency: "USD",
      amount_minor: 700n,
    });
    const refund = request({
      account_id: "ACC-V1",
      type: "refund",
      original_transaction_id: paymentId,
      merchant_name: "",
      currency: "USD",
      amount_minor: 500n,
    });
    // The v2 records through our codec (the subject's latest version), the v1 one framed by hand.
    await produce(ns, [transfer, refund], [{ key: "ACC-V1", value: v1Record }]);

    processor = startProcessor(settingsFor(ns));
    const outputs = await collectOutputs(ns, (items) => items.length >= 3);
    expect(outputs.map((o) => o.topicId)).toEqual(["validated", "validated", "validated"]);
    const byId = (id: string) => outputs.find((o) => o.value.transaction_id === id)?.value;
    expect(byId(paymentId)).toMatchObject({
      type: "payment",
      counterparty_account_id: null,
      original_transaction_id: null,
      account_id: "ACC-V1",
      amount_minor: 2_500n,
      merchant_name: "OLD PRODUCER SHOP",
      client_id: "legacy-team",
      metadata: { source: "v1" },
    });
    expect(byId(transfer.transaction_id)).toMatchObject({
      type: "transfer",
      counterparty_account_id: "ACC-V2-SAVINGS",
      original_transaction_id: null,
      account_id: "ACC-V2",
      amount_minor: 700n,
    });
    expect(byId(refund.transaction_id)).toMatchObject({
      type: "refund",
      counterparty_account_id: null,
      original_transaction_id: paymentId,
      amount_minor: 500n,
    });
  });
});
