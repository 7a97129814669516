// Idempotency-Key: the same key → the same id; once the ledger holds it, the same body gets its
// current state and a different body gets 409.

import { payloadHash } from "@ledgerline/domain";
import { sql } from "@ledgerline/ledger-db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTH, type Harness, post, readRequested, SEED, startHarness } from "./harness.ts";

describe("idempotency", () => {
  let h: Harness;
  beforeAll(async () => {
    // A generous lookup budget: on a loaded test machine a 300 ms lookup may time out and fall back to producing.
    h = await startHarness("gw-idem", { ledgerLookupTimeoutMs: 5_000 });
  });
  afterAll(() => h?.close());

  it("same key twice → same transaction id; different body once stored → 409", async () => {
    const key = { "Idempotency-Key": `order-${Date.now()}` };
    const first = await post(h.app, "/v1/transactions", SEED, key);
    const again = await post(h.app, "/v1/transactions", SEED, key);
    expect([first.status, again.status]).toEqual([202, 202]);
    const id = ((await first.json()) as { transaction_id: string }).transaction_id;
    expect(((await again.json()) as { transaction_id: string }).transaction_id).toBe(id);

    // Both produces carry the same id (downstream dedups on it) and the key.
    const records = await readRequested(h.ns, 2);
    expect(records.map((r) => r.value.transaction_id)).toEqual([id, id]);
    expect(records[0]?.value.idempotency_key).toBe(key["Idempotency-Key"]);

    // The ledger-sink stores it (simulated here: this test owns its schema).
    const hash = payloadHash({
      account_id: SEED.account_id,
      amount_minor: 125075n,
      currency: "USD",
      merchant_name: SEED.merchant_name,
    });
    await h.db.pool.query(sql.unsafe`
      INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status,
                                occurred_at, accepted_at, posted_at, source, client_id, payload_hash)
      VALUES (${id}, ${SEED.account_id}, 125075, 'USD', ${SEED.merchant_name}, 'posted', now(), now(), now(), 'live', 'dev', ${hash})`);

    const retried = await post(h.app, "/v1/transactions", SEED, key);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({
      transaction_id: id,
      status: "posted",
      amount: "1250.75",
      amount_minor: "125075",
    });

    const conflict = await post(h.app, "/v1/transactions", { ...SEED, amount: 99 }, key);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get("content-type")).toBe("application/problem+json");

    // The status URL of the 202 now shows the transaction's fate.
    const status = await h.app.request(`/v1/transactions/${id}`, { headers: AUTH });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ status: "posted", currency: "USD" });
  });

  it("a kind's own fields are part of the body: a retried refund of another original → 409", async () => {
    const key = { "Idempotency-Key": `refund-${Date.now()}` };
    const original = crypto.randomUUID();
    const refund = {
      type: "refund",
      account_id: "ACC-R",
      amount: "5",
      currency: "USD",
      original_transaction_id: original,
    };
    const first = await post(h.app, "/v1/transactions", refund, key);
    expect(first.status).toBe(202);
    const id = ((await first.json()) as { transaction_id: string }).transaction_id;
    // The sink stores it with the hash of the record (simulated: the hash of the kind's fields too).
    const hash = payloadHash({
      account_id: "ACC-R",
      amount_minor: 500n,
      currency: "USD",
      merchant_name: "",
      type: "refund",
      counterparty_account_id: null,
      original_transaction_id: original,
    });
    await h.db.pool.query(sql.unsafe`
      INSERT INTO transactions (transaction_id, type, account_id, amount_minor, currency, merchant_name,
                                original_transaction_id, status, occurred_at, accepted_at, posted_at, source,
                                client_id, payload_hash)
      VALUES (${id}, 'refund', 'ACC-R', 500, 'USD', '', ${original}, 'posted', now(), now(), now(), 'live', 'dev',
              ${hash})`);
    const retried = await post(
      h.app,
      "/v1/transactions",
      { ...refund, original_transaction_id: original.toUpperCase() },
      key,
    );
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({
      transaction_id: id,
      type: "refund",
      original_transaction_id: original,
    });
    const other = { ...refund, original_transaction_id: crypto.randomUUID() };
    expect((await post(h.app, "/v1/transactions", other, key)).status).toBe(409);
  });

  it("an accepted but not yet posted id answers 404 saying it is in flight", async () => {
    const response = await h.app.request(`/v1/transactions/${crypto.randomUUID()}`, { headers: AUTH });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/in flight/);
  });
});
