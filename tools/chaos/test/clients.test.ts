import { describe, expect, it } from "vitest";
import { bodyOf, type PlannedRequest, planWorkload, REFUNDABLE } from "../src/clients.ts";
import { seededRandom } from "../src/random.ts";

const plan = (seed: number, clients = 2, total = 5_000) =>
  planWorkload({ total, clients, random: seededRandom(seed), seed, resendProbability: 0.03 });

describe("planWorkload", () => {
  it("is the same for the same seed, and different for another", () => {
    expect(plan(7)).toEqual(plan(7));
    expect(plan(8)).not.toEqual(plan(7));
  });

  it("mixes every kind, mostly payments, over both clients, with every refund intent", () => {
    const requests = plan(7).flat();
    const share = (type: string) => requests.filter((r) => r.type === type).length / requests.length;
    expect(share("payment")).toBeGreaterThan(0.5);
    for (const type of ["transfer", "cash_in", "cash_out", "debit", "refund"])
      expect(share(type)).toBeGreaterThan(0.03);
    expect(new Set(requests.map((r) => r.client))).toEqual(new Set([0, 1]));
    const intents = new Set(requests.flatMap((r) => (r.refund ? [r.refund.intent] : [])));
    expect([...intents].sort()).toEqual(
      [
        "concurrent",
        "full",
        "of-cash-in",
        "other-account",
        "other-client",
        "other-currency",
        "partial",
        "too-large",
      ].sort(),
    );
    expect(requests.some((r) => r.idBy === "transaction-id")).toBe(true);
    expect(requests.some((r) => r.refund?.namedBy === "chosen-id")).toBe(true);
    // One client: no refund of another client's transaction.
    expect(
      plan(7, 1)
        .flat()
        .some((r) => r.refund?.intent === "other-client"),
    ).toBe(false);
  });

  it("refunds earlier transactions as their intent says", () => {
    const slots = plan(11);
    const where = new Map<string, { slot: number; request: PlannedRequest }>();
    slots.forEach((requests, slot) => {
      for (const request of requests) where.set(request.key, { slot, request });
    });
    const plannedBack = new Map<string, number>();
    slots.forEach((requests, slot) => {
      for (const r of requests) {
        if (!r.refund) {
          expect(r.type === "transfer" ? r.counterpartyAccountId : undefined).not.toBe(r.accountId);
          continue;
        }
        const original = where.get(r.refund.originalKey);
        expect(original, r.key).toBeDefined();
        if (!original) continue;
        const o = original.request;
        expect(original.slot).toBeLessThan(slot);
        expect(r.amountMinor).toBeGreaterThan(0);
        const sameClient = o.client === r.client;
        switch (r.refund.intent) {
          case "partial":
          case "full":
            expect([sameClient, REFUNDABLE.includes(o.type), o.accountId, o.currency]).toEqual([
              true,
              true,
              r.accountId,
              r.currency,
            ]);
            plannedBack.set(o.key, (plannedBack.get(o.key) ?? 0) + r.amountMinor);
            expect(plannedBack.get(o.key)).toBeLessThanOrEqual(o.amountMinor);
            break;
          case "too-large":
            expect(sameClient && REFUNDABLE.includes(o.type)).toBe(true);
            expect(r.amountMinor).toBeGreaterThan(o.amountMinor);
            break;
          case "of-cash-in":
            expect([sameClient, o.type]).toEqual([true, "cash_in"]);
            break;
          case "other-client":
            expect(sameClient).toBe(false);
            break;
          case "other-account":
            expect(sameClient && r.accountId !== o.accountId).toBe(true);
            break;
          case "other-currency":
            expect(sameClient && r.currency !== o.currency && r.accountId === o.accountId).toBe(true);
            break;
          case "concurrent": {
            // Sent at once, each within the original, together more than it, of an original no other refund
            // of this plan touches.
            expect(requests.every((m) => m.refund?.group === r.refund?.group)).toBe(true);
            expect(requests.length).toBeGreaterThanOrEqual(2);
            expect(r.amountMinor).toBeLessThanOrEqual(o.amountMinor);
            expect(requests.reduce((sum, m) => sum + m.amountMinor, 0)).toBeGreaterThan(o.amountMinor);
            plannedBack.set(o.key, Number.POSITIVE_INFINITY);
            break;
          }
        }
      }
    });
  });
});

describe("bodyOf", () => {
  it("sends each kind's own fields and a refund's original as given", () => {
    const base = {
      idBy: "idempotency-key",
      client: 0,
      accountId: "ACC-1000",
      currency: "USD",
      resend: false,
    } as const;
    expect(
      JSON.parse(
        bodyOf({
          ...base,
          key: "k1",
          type: "transfer",
          amountMinor: 1205,
          counterpartyAccountId: "ACC-1001",
        }),
      ),
    ).toEqual({
      type: "transfer",
      account_id: "ACC-1000",
      amount: "12.05",
      currency: "USD",
      counterparty_account_id: "ACC-1001",
    });
    const refund = {
      ...base,
      key: "k2",
      type: "refund",
      currency: "JPY",
      amountMinor: 300,
      refund: { originalKey: "k1", namedBy: "ledger-id", intent: "partial", group: null },
    } as const;
    expect(JSON.parse(bodyOf(refund, "0b3d6f2e-8c1a-4f5e-9d7b-2a6c4e8f1b3d"))).toEqual({
      type: "refund",
      account_id: "ACC-1000",
      amount: "300",
      currency: "JPY",
      original_transaction_id: "0b3d6f2e-8c1a-4f5e-9d7b-2a6c4e8f1b3d",
    });
    const chosen = "7d4f2c1a-3b5e-4f6a-8c9d-0e1f2a3b4c5d";
    expect(
      JSON.parse(bodyOf({ ...base, key: chosen, idBy: "transaction-id", type: "cash_in", amountMinor: 5 })),
    ).toMatchObject({ type: "cash_in", amount: "0.05", transaction_id: chosen });
  });
});
