import { describe, expect, it } from "vitest";
import { seededRandom } from "../src/random.ts";
import { bodyOf, LIMITED_ACCOUNTS, type PlannedRequest, REFUNDABLE } from "../src/traffic.ts";
import { planWorkload } from "../src/workload.ts";

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

describe("planWorkload: limited accounts", () => {
  it("funds each client's limited accounts first, then debits them past what they get, never refunded", () => {
    const slots = plan(7);
    const funding = slots.slice(0, 2 * LIMITED_ACCOUNTS.length).flat();
    expect(funding.map((r) => [r.client, r.type, r.accountId, r.currency, r.amountMinor, r.limited])).toEqual(
      [0, 1].flatMap((client) =>
        LIMITED_ACCOUNTS.map((a) => [client, "cash_in", a.accountId, a.currency, a.fundingMinor, "funding"]),
      ),
    );
    const requests = slots.flat();
    const limitedIds = new Set(LIMITED_ACCOUNTS.map((a) => a.accountId));
    for (const account of LIMITED_ACCOUNTS) {
      for (const client of [0, 1]) {
        const own = requests.filter((r) => r.client === client && r.limited);
        const debits = own.filter((r) => r.accountId === account.accountId && r.type !== "cash_in");
        const credits = own.filter(
          (r) =>
            (r.accountId === account.accountId && r.type === "cash_in") ||
            r.counterpartyAccountId === account.accountId,
        );
        const sum = (list: readonly PlannedRequest[]) => list.reduce((n, r) => n + r.amountMinor, 0);
        // Its debits ask more than everything it gets plus its limit: some must be refused.
        expect(sum(debits), `${client} ${account.accountId}`).toBeGreaterThan(
          sum(credits) + account.limitMinor,
        );
        expect(debits.every((r) => r.currency === account.currency)).toBe(true);
      }
    }
    // Bursts of debits of one account sent at once, and transfers between two limited accounts both ways.
    const bursts = slots.filter((slot) => slot.length > 1 && slot.every((r) => r.limited === "burst"));
    expect(bursts.length).toBeGreaterThan(5);
    for (const burst of bursts) expect(new Set(burst.map((r) => `${r.client} ${r.accountId}`)).size).toBe(1);
    const between = requests.filter(
      (r) =>
        r.type === "transfer" && limitedIds.has(r.accountId) && limitedIds.has(r.counterpartyAccountId ?? ""),
    );
    expect(new Set(between.map((r) => `${r.accountId}>${r.counterpartyAccountId}`))).toEqual(
      new Set(["ACC-LIM-0>ACC-LIM-1", "ACC-LIM-1>ACC-LIM-0"]),
    );
    // Never an original of a refund, and only the limited traffic touches a limited account.
    const keys = new Set(requests.filter((r) => r.limited).map((r) => r.key));
    expect(requests.filter((r) => r.refund && keys.has(r.refund.originalKey))).toEqual([]);
    expect(
      requests.filter(
        (r) => !r.limited && (limitedIds.has(r.accountId) || limitedIds.has(r.counterpartyAccountId ?? "")),
      ),
    ).toEqual([]);
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
