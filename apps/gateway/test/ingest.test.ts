// POST /v1/transactions on the real stack: a 202 means the Avro record is on transactions.requested.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, post, readRequested, SEED, startHarness } from "./harness.ts";

describe("ingest → transactions.requested", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("gw-ingest");
  });
  afterAll(() => h?.close());

  it("acks with 202 only after the broker has the Avro record, exact minor units, key = account id", async () => {
    const response = await post(h.app, "/v1/transactions", SEED);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { transaction_id: string; status: string; location: string };
    expect(body.status).toBe("accepted");
    expect(response.headers.get("location")).toBe(`/v1/transactions/${body.transaction_id}`);

    // The alias path, with the amount as a decimal string and a 3-decimal currency.
    const alias = await post(h.app, "/transaction", {
      account_id: "ACC-1",
      amount: "1.234",
      currency: "BHD",
      merchant_name: "Manama Souq",
      occurred_at: "2024-05-01T10:00:00+02:00",
      metadata: { type: "PAYMENT", step: 1 },
    });
    expect(alias.status).toBe(202);
    const aliasId = ((await alias.json()) as { transaction_id: string }).transaction_id;

    const records = await readRequested(h.ns, 2);
    expect(records).toHaveLength(2);
    const first = records.find((r) => r.value.transaction_id === body.transaction_id)!;
    expect(first.key).toBe("ACC-7890");
    expect(first.raw[0]).toBe(0); // Confluent wire format: magic byte
    expect(first.value).toMatchObject({
      account_id: "ACC-7890",
      amount_minor: 125075n,
      currency: "USD",
      merchant_name: "Chicago Retail Hub",
      client_id: "dev",
      idempotency_key: null,
    });
    const second = records.find((r) => r.value.transaction_id === aliasId)!;
    expect(second.key).toBe("ACC-1");
    expect(second.value.amount_minor).toBe(1234n);
    expect(second.value.occurred_at.toISOString()).toBe("2024-05-01T08:00:00.000Z");
    expect(second.value.metadata).toEqual({ type: "PAYMENT", step: "1" });
  });

  it("keeps digits a float would lose", async () => {
    const response = await post(
      h.app,
      "/v1/transactions",
      '{"account_id":"ACC-F","amount":1.005,"currency":"BHD","merchant_name":"M"}',
    );
    expect(response.status).toBe(202);
    const id = ((await response.json()) as { transaction_id: string }).transaction_id;
    const records = await readRequested(h.ns, 3);
    expect(records.find((r) => r.value.transaction_id === id)?.value.amount_minor).toBe(1005n); // 1.005 * 1000 is 1004.9999999999999 as a float;
  });
});
