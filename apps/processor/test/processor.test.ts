// valid, invalid and poison records in one input → each on exactly one of validated / rejected / dlq.
import { createTestNamespace, readToEnd, type TestNamespace } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectOutputs,
  connection,
  produce,
  publishReferenceRates,
  request,
  settingsFor,
  startProcessor,
} from "./helpers.ts";

describe("processor", () => {
  let ns: TestNamespace;
  let processor: ReturnType<typeof startProcessor>;

  beforeAll(async () => {
    ns = await createTestNamespace("proc");
    await publishReferenceRates(ns);
  });
  afterAll(async () => {
    await processor?.stop();
    await ns?.cleanup();
  });

  it("routes valid, invalid and poison records to exactly one output each", async () => {
    const valid = request({ currency: "EUR", amount_minor: 10_000n, merchant_name: "  uber   eats " });
    const large = request({ currency: "USD", amount_minor: 25_000_000n, metadata: { type: "TRANSFER" } });
    const invalid = request({ currency: "XXX", account_id: "!" });
    const wrongMagic = { key: "ACC-1", value: Buffer.from("not avro at all") };
    const unknownSchema = { key: "ACC-2", value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3]) };
    await produce(ns, [valid, large, invalid], [wrongMagic, unknownSchema]);
    processor = startProcessor(settingsFor(ns));

    const outputs = await collectOutputs(ns, (items) => items.length >= 5);
    expect(outputs).toHaveLength(5);
    const byTopic = (topic: string) => outputs.filter((o) => o.topicId === topic);

    const validated = byTopic("validated");
    expect(validated.map((o) => o.value.transaction_id).sort()).toEqual(
      [valid.transaction_id, large.transaction_id].sort(),
    );
    const eur = validated.find((o) => o.value.transaction_id === valid.transaction_id)!;
    expect(eur.key).toBe(valid.account_id);
    expect(eur.value).toMatchObject({
      merchant_name: "UBER EATS",
      merchant_category: "restaurants",
      base_currency: "USD",
      base_amount_minor: 10_845n,
      fx_rate: "1.084500000000",
      risk_flags: [],
    });
    const usd = validated.find((o) => o.value.transaction_id === large.transaction_id)!;
    expect(usd.value.risk_flags).toEqual(["LARGE_AMOUNT", "PAYSIM_LARGE_TRANSFER"]);

    const rejected = byTopic("rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.value.transaction_id).toBe(invalid.transaction_id);
    expect((rejected[0]!.value.reasons as { code: string }[]).map((r) => r.code)).toEqual([
      "ACCOUNT_ID_FORMAT",
      "CURRENCY_UNSUPPORTED",
    ]);

    const dlq = byTopic("dlq");
    expect(dlq.map((o) => o.value.reason_code).sort()).toEqual(["NOT_WIRE_FORMAT", "UNKNOWN_SCHEMA"]);
    const envelope = dlq.find((o) => o.value.reason_code === "NOT_WIRE_FORMAT")!;
    expect(envelope.key).toBe("ACC-1");
    expect(envelope.value).toMatchObject({
      stage: "processor",
      error_class: "RegistryError",
      original_topic: ns.names.topic("requested"),
      original_value: wrongMagic.value,
      original_key: Buffer.from("ACC-1"),
      attempts: 1,
      retryable: false,
    });
    expect(typeof envelope.value.original_offset).toBe("bigint");

    // The same letters read by a plain consumer, as a Kafka UI or a Connect-style tool would: no Avro.
    const plain = await readToEnd({
      connection: connection("plain-dlq-reader"),
      topic: ns.names.topic("dlq"),
      committed: true,
      decode: (message) =>
        Object.fromEntries([...message.headers].map(([name, value]) => [name, value.toString("utf8")])),
    });
    const wrong = plain.find((h) => h["ledgerline.dlq.reason"] === "NOT_WIRE_FORMAT")!;
    expect(wrong).toMatchObject({
      "__connect.errors.topic": ns.names.topic("requested"),
      "__connect.errors.partition": String(envelope.value.original_partition),
      "__connect.errors.offset": String(envelope.value.original_offset),
      "__connect.errors.stage": "processor",
      "__connect.errors.exception.class.name": "RegistryError",
      "__connect.errors.exception.message": envelope.value.error_message,
    });
    expect(plain.map((h) => h["ledgerline.dlq.reason"]).sort()).toEqual([
      "NOT_WIRE_FORMAT",
      "UNKNOWN_SCHEMA",
    ]);
  });
});
