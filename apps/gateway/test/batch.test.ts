// POST /v1/transactions:batch: per-item results; one bad item does not reject the others.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { type Harness, post, readRequested, SEED, startHarness } from "./harness.ts";

describe("batch ingest", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("gw-batch");
  });
  afterAll(() => h?.close());

  it("accepts the valid items and reports the invalid ones by index", async () => {
    const items = [
      SEED,
      { ...SEED, amount: 1.234 },
      { ...SEED, account_id: "ACC-2", amount: "3", currency: "JPY" },
      { ...SEED, currency: "XYZ" },
      "not an object",
      { ...SEED, account_id: "ACC-3", amount: "0.5" },
    ];
    const response = await post(h.app, "/v1/transactions:batch", { items });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      accepted: number;
      invalid: number;
      results: { index: number; status: string; transaction_id?: string; errors?: { field: string }[] }[];
    };
    expect(body).toMatchObject({ accepted: 3, invalid: 3, unavailable: 0 });
    expect(body.results.map((r) => r.status)).toEqual([
      "accepted",
      "invalid",
      "accepted",
      "invalid",
      "invalid",
      "accepted",
    ]);
    expect(body.results[1]?.errors?.[0]?.field).toBe("items[1].amount");
    expect(body.results[3]?.errors?.[0]?.field).toBe("items[3].currency");

    const records = await readRequested(h.ns, 3);
    const ids = body.results.filter((r) => r.status === "accepted").map((r) => r.transaction_id);
    expect(records.map((r) => r.value.transaction_id).sort()).toEqual([...ids].sort());
    expect(records.find((r) => r.key === "ACC-2")?.value.amount_minor).toBe(3n);
  });

  it("answers 202 when every item is accepted, 422 for too many items", async () => {
    expect((await post(h.app, "/v1/transactions:batch", { items: [SEED, SEED] })).status).toBe(202);
    const small = buildApp({
      ...h.gateway.services,
      settings: { ...h.gateway.services.settings, batchMaxItems: 2 },
    });
    const tooMany = await post(small, "/v1/transactions:batch", { items: [SEED, SEED, SEED] });
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe("items");
    expect((await post(h.app, "/v1/transactions:batch", { items: [] })).status).toBe(422);
  });

  it("decides each item's kind like a single request", async () => {
    const items = [
      { type: "cash_out", account_id: "ACC-B1", amount: "2", currency: "USD" },
      {
        type: "cash_out",
        account_id: "ACC-B1",
        amount: "2",
        currency: "USD",
        counterparty_account_id: "ACC-B2",
      },
      { type: "transfer", account_id: "ACC-B1", amount: "2", currency: "USD" },
    ];
    const response = await post(h.app, "/v1/transactions:batch", { items });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      results: { status: string; errors?: { field: string; code: string }[] }[];
    };
    expect(body.results.map((r) => r.status)).toEqual(["accepted", "invalid", "invalid"]);
    expect(body.results[1]?.errors).toEqual([
      expect.objectContaining({ field: "items[1].counterparty_account_id", code: "NOT_ALLOWED_FOR_TYPE" }),
    ]);
    expect(body.results[2]?.errors).toEqual([
      expect.objectContaining({ field: "items[2].counterparty_account_id", code: "REQUIRED" }),
    ]);
  });
});
