import { describe, expect, it } from "vitest";
import { parseJsonBody } from "./parseBody.ts";
import { decideIngest, type IngestContext } from "./toRequested.ts";
import { idFromClientChosenId, idFromIdempotencyKey } from "./transactionId.ts";

const context: IngestContext = {
  clientId: "dev",
  idempotencyKey: undefined,
  now: new Date("2025-01-01T00:00:00Z"),
  maxAmountMinor: 10n ** 13n,
};
const parse = (text: string) => parseJsonBody(new TextEncoder().encode(text), 8);
const decide = (text: string, extra: Partial<IngestContext> = {}) =>
  decideIngest(parse(text), { ...context, ...extra });
const body = (amount: string, currency = "USD") =>
  `{"account_id":"ACC-1","amount":${amount},"currency":"${currency}","merchant_name":"M"}`;

describe("decideIngest", () => {
  it.each([
    ["1250.75", "USD", 125075n],
    ['"1250.75"', "USD", 125075n],
    ["0.29", "USD", 29n],
    ["500", "JPY", 500n],
    ["1.005", "BHD", 1005n],
    ["1.10", "USD", 110n],
    ["1.000", "JPY", 1n],
  ])("amount %s %s → %s minor units", (amount, currency, minor) => {
    const decision = decide(body(amount, currency));
    expect(decision.ok && decision.record.amount_minor).toBe(minor);
  });

  it.each([
    ["1.234", "USD", "TOO_MANY_DECIMALS"],
    ["1.5", "JPY", "TOO_MANY_DECIMALS"],
    ["0", "USD", "NOT_POSITIVE"],
    ["-5", "USD", "NOT_POSITIVE"],
    ['"-5"', "USD", "NOT_POSITIVE"],
    ["1e400", "USD", "NOT_A_DECIMAL"],
    ["1e3", "USD", "NOT_A_DECIMAL"],
    ['"abc"', "USD", "NOT_A_DECIMAL"],
    ["100000000001", "USD", "TOO_LARGE"],
    ["10", "XYZ", "UNKNOWN_CURRENCY"],
  ])("rejects %s %s with %s", (amount, currency, code) => {
    const decision = decide(body(amount, currency));
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.errors.map((e) => e.code)).toContain(code);
  });

  it("reports every field error at once", () => {
    const decision = decide('{"account_id":"","amount":true,"currency":"usd","extra":1}');
    expect(decision.ok).toBe(false);
    const fields = !decision.ok ? decision.errors.map((e) => e.field) : [];
    expect(fields).toEqual(
      expect.arrayContaining(["account_id", "amount", "currency", "merchant_name", "extra"]),
    );
  });

  it("derives the id from client + Idempotency-Key, deterministically", () => {
    const a = decide(body("1"), { idempotencyKey: "k-1" });
    const b = decide(body("1"), { idempotencyKey: "k-1" });
    const other = decide(body("1"), { idempotencyKey: "k-1", clientId: "other" });
    expect(a.ok && a.record.transaction_id).toBe(idFromIdempotencyKey("dev", "k-1"));
    expect(b.ok && b.record.transaction_id).toBe(a.ok && a.record.transaction_id);
    expect(other.ok && other.record.transaction_id).not.toBe(a.ok && a.record.transaction_id);
    expect(a.ok && a.clientChosenId).toBe(true);
  });

  it("refuses a transaction_id that contradicts the Idempotency-Key", () => {
    const decision = decide(
      `{"account_id":"A","amount":1,"currency":"USD","merchant_name":"M","transaction_id":"${crypto.randomUUID()}"}`,
      { idempotencyKey: "k" },
    );
    expect(!decision.ok && decision.errors[0]?.code).toBe("ID_MISMATCH");
  });

  it("namespaces a client-chosen transaction_id per client: two clients never share a ledger id", () => {
    const chosen = crypto.randomUUID();
    const withId = `{"account_id":"A","amount":1,"currency":"USD","merchant_name":"M","transaction_id":"${chosen}"}`;
    const mine = decide(withId);
    const again = decide(withId.replace(chosen, chosen.toUpperCase()));
    const theirs = decide(withId, { clientId: "other" });
    expect(mine.ok && mine.record.transaction_id).toBe(idFromClientChosenId("dev", chosen));
    expect(again.ok && again.record.transaction_id).toBe(mine.ok && mine.record.transaction_id);
    expect(theirs.ok && theirs.record.transaction_id).not.toBe(mine.ok && mine.record.transaction_id);
    expect(mine.ok && mine.record.transaction_id).not.toBe(chosen);
    expect(mine.ok && mine.clientChosenId).toBe(true);
  });
});
