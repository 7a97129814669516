// A TransactionValidated record written with contract version 1 (before kinds: no type, counterparty or
// original) by a producer not yet upgraded: the sink reads it as a payment and books a payment's legs.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { payloadHash } from "@ledgerline/domain";
import { getTransaction, sql } from "@ledgerline/ledger-db";
import { testEnvironment } from "@ledgerline/testkit";
import avro from "avsc";
import { describe, expect, it } from "vitest";
import { sinkSuite } from "./faultRun.ts";
import { assertLedgerInvariants, postedTopic, produce, startSink, waitFor } from "./helpers.ts";

const version1 = JSON.parse(
  readFileSync(
    new URL("../../../schemas/avro/history/TransactionValidated.v1.avsc", import.meta.url),
    "utf8",
  ),
) as avro.Schema;

/** Avro decimal bytes: the unscaled value, big-endian two's complement (positive here). */
const decimalBytes = (unscaled: bigint) => {
  let hex = unscaled.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  return Buffer.from(hex, "hex");
};

const register = async (subject: string, schema: avro.Schema): Promise<number> => {
  const response = await fetch(
    `${testEnvironment().registryUrl}/subjects/${encodeURIComponent(subject)}/versions`,
    {
      method: "POST",
      headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
      body: JSON.stringify({ schemaType: "AVRO", schema: JSON.stringify(schema) }),
    },
  );
  const body = (await response.json()) as { id?: number; message?: string };
  if (!response.ok || body.id === undefined) throw new Error(`register ${subject}: ${body.message}`);
  return body.id;
};

describe("a producer still on contract version 1", () => {
  const suite = sinkSuite("sinkv1");

  // A decimal field (fx_rate) read through another writer version: the codec once handed the writer's
  // decoded string back to the decimal decoder and dead-lettered every such record as MALFORMED_PAYLOAD.
  it("its validated record is posted as a payment: customer debited, merchant credited", async () => {
    const { ns, db } = suite;
    // The subject holds version 1 (topology registers the history first): registering it again gives its id.
    const v1Id = await register(ns.names.valueSubject("validated"), version1);
    const id = randomUUID();
    const content = {
      account_id: "ACC-OLD",
      amount_minor: 4_200n,
      currency: "USD",
      merchant_name: "OLD SHOP",
    };
    const payload = avro.Type.forSchema(version1).toBuffer({
      transaction_id: id,
      ...content,
      amount_minor: 4_200,
      occurred_at: Date.now() - 60_000,
      accepted_at: Date.now() - 1_000,
      client_id: "legacy",
      idempotency_key: null,
      metadata: {},
      merchant_category: "retail",
      base_currency: "USD",
      base_amount_minor: 4_200,
      fx_rate: decimalBytes(10n ** 12n),
      fx_rate_as_of: Date.now() - 3_600_000,
      risk_flags: [],
      payload_hash: payloadHash(content),
      validated_at: Date.now(),
    });
    const header = Buffer.alloc(5);
    header.writeUInt32BE(v1Id, 1);
    await produce(ns, [{ topicId: "validated", key: "ACC-OLD", value: Buffer.concat([header, payload]) }]);

    const sink = startSink(ns, db.url);
    // The record lands in the ledger, or the sink dead-letters it (an outbox event for the DLQ): either
    // way it is decided within seconds, and a dead letter's reason is the failure to show.
    const deadLetters = () =>
      db.pool.anyFirst(sql.unsafe`
        SELECT payload->>'error_message' FROM outbox WHERE topic_id = 'dlq'`) as Promise<readonly string[]>;
    try {
      await waitFor(
        "the record decided",
        async () => (await getTransaction(db.pool, id)) !== null || (await deadLetters()).length > 0,
        30_000,
        sink.assertAlive,
      );
    } finally {
      await sink.stop();
    }
    expect(await deadLetters()).toEqual([]);
    const row = await getTransaction(db.pool, id);
    expect(row).toMatchObject({
      status: "posted",
      type: "payment",
      counterparty_account_id: null,
      original_transaction_id: null,
      client_id: "legacy",
    });
    const postings = await db.pool.any(sql.unsafe`
      SELECT ledger_account, amount_minor FROM postings WHERE transaction_id = ${id} ORDER BY amount_minor`);
    expect(postings).toEqual([
      { ledger_account: "customer:legacy:ACC-OLD", amount_minor: -4_200n },
      { ledger_account: "merchant:OLD SHOP", amount_minor: 4_200n },
    ]);
    await assertLedgerInvariants(db.pool, [id], expect, postedTopic(ns));
  });
});
