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

  it("puts each kind's fields on the record: type, counterparty and original (null when absent)", async () => {
    const original = "0B3D6F2E-8C1A-4F5E-9D7B-2A6C4E8F1B3D";
    const bodies = [
      {
        type: "transfer",
        account_id: "ACC-K1",
        counterparty_account_id: "ACC-K2",
        amount: "3.00",
        currency: "USD",
      },
      { type: "cash_in", account_id: "ACC-K2", amount: "4", currency: "USD" },
      {
        type: "refund",
        account_id: "ACC-K3",
        original_transaction_id: original,
        amount: "1",
        currency: "USD",
      },
    ];
    const ids: string[] = [];
    for (const body of bodies) {
      const response = await post(h.app, "/v1/transactions", body);
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { transaction_id: string }).transaction_id);
    }
    const records = await readRequested(h.ns, (seen) =>
      ids.every((id) => seen.some((r) => r.value.transaction_id === id)),
    );
    const byId = (id: string | undefined) => records.find((r) => r.value.transaction_id === id)?.value;
    expect(byId(ids[0])).toMatchObject({
      type: "transfer",
      counterparty_account_id: "ACC-K2",
      original_transaction_id: null,
      merchant_name: "",
      amount_minor: 300n,
    });
    expect(byId(ids[1])).toMatchObject({
      type: "cash_in",
      counterparty_account_id: null,
      original_transaction_id: null,
    });
    expect(byId(ids[2])).toMatchObject({ type: "refund", original_transaction_id: original.toLowerCase() });
    // A payment sent without a type goes out as one.
    expect(records.find((r) => r.value.account_id === "ACC-7890")?.value.type).toBe("payment");
  });
});
