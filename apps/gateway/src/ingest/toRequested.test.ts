import { TRANSACTION_REQUEST_EXAMPLES, TRANSACTION_REQUEST_TYPES } from "@ledgerline/contracts";
import { payloadHash, TRANSACTION_TYPES } from "@ledgerline/domain";
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

  it("answers a null merchant_name of a payment with REQUIRED, like an absent one", () => {
    const decision = decide('{"account_id":"A","amount":1,"currency":"USD","merchant_name":null}');
    expect(!decision.ok && decision.errors).toEqual([
      { field: "merchant_name", code: "REQUIRED", message: "merchant_name is required for a payment" },
    ]);
  });
});

describe("decideIngest: transaction kinds", () => {
  const original = "0b3d6f2e-8c1a-4f5e-9d7b-2a6c4e8f1b3d";
  const base = { account_id: "ACC-1", amount: "12.50", currency: "USD" };
  const decideJson = (fields: Record<string, unknown>, extra: Partial<IngestContext> = {}) =>
    decide(JSON.stringify({ ...base, ...fields }), extra);
  const errorsOf = (decision: ReturnType<typeof decide>) => (decision.ok ? [] : decision.errors);

  it("takes the domain's kinds, no more and no fewer", () => {
    expect([...TRANSACTION_REQUEST_TYPES]).toEqual([...TRANSACTION_TYPES]);
  });

  it.each(Object.entries(TRANSACTION_REQUEST_EXAMPLES))(
    "accepts the OpenAPI example of a %s",
    (type, example) => {
      const decision = decideIngest(example.value, context);
      expect(errorsOf(decision)).toEqual([]);
      expect(decision.ok && decision.record.type).toBe(type);
    },
  );

  it.each([
    [
      "payment (type absent)",
      { merchant_name: "Shop" },
      {
        type: "payment",
        merchant_name: "Shop",
        counterparty_account_id: null,
        original_transaction_id: null,
      },
    ],
    [
      "payment",
      { type: "payment", merchant_name: "Shop" },
      {
        type: "payment",
        merchant_name: "Shop",
        counterparty_account_id: null,
        original_transaction_id: null,
      },
    ],
    [
      "transfer",
      { type: "transfer", counterparty_account_id: "ACC-2" },
      {
        type: "transfer",
        merchant_name: "",
        counterparty_account_id: "ACC-2",
        original_transaction_id: null,
      },
    ],
    [
      "transfer with a note",
      { type: "transfer", counterparty_account_id: "ACC-2", merchant_name: "rent" },
      {
        type: "transfer",
        merchant_name: "rent",
        counterparty_account_id: "ACC-2",
        original_transaction_id: null,
      },
    ],
    [
      "cash_in",
      { type: "cash_in" },
      { type: "cash_in", merchant_name: "", counterparty_account_id: null, original_transaction_id: null },
    ],
    [
      "cash_out",
      { type: "cash_out", merchant_name: "ATM 12" },
      {
        type: "cash_out",
        merchant_name: "ATM 12",
        counterparty_account_id: null,
        original_transaction_id: null,
      },
    ],
    [
      "debit",
      { type: "debit", counterparty_account_id: null },
      { type: "debit", merchant_name: "", counterparty_account_id: null, original_transaction_id: null },
    ],
    [
      "refund (original lower-cased as sent)",
      { type: "refund", original_transaction_id: original.toUpperCase() },
      { type: "refund", merchant_name: "", counterparty_account_id: null, original_transaction_id: original },
    ],
  ])("accepts a %s", (_name, fields, expected) => {
    const decision = decideJson(fields);
    expect(errorsOf(decision)).toEqual([]);
    expect(decision.ok && decision.record).toMatchObject({
      ...expected,
      account_id: "ACC-1",
      amount_minor: 1250n,
      currency: "USD",
    });
  });

  it.each([
    ["payment", {}, "merchant_name", "merchant_name is required for a payment"],
    ["transfer", {}, "counterparty_account_id", "counterparty_account_id is required for a transfer"],
    [
      "transfer",
      { counterparty_account_id: null },
      "counterparty_account_id",
      "counterparty_account_id is required for a transfer",
    ],
    ["refund", {}, "original_transaction_id", "original_transaction_id is required for a refund"],
  ])("a %s without its field %j: 422 REQUIRED", (type, fields, field, message) => {
    expect(errorsOf(decideJson({ type, ...fields }))).toEqual([{ field, code: "REQUIRED", message }]);
  });

  const forbidden: [string, string, unknown][] = [];
  for (const type of ["payment", "cash_in", "cash_out", "debit", "refund"])
    forbidden.push([type, "counterparty_account_id", "ACC-2"]);
  for (const type of ["payment", "transfer", "cash_in", "cash_out", "debit"])
    forbidden.push([type, "original_transaction_id", original]);
  it.each(forbidden)("a %s with %s: 422 NOT_ALLOWED_FOR_TYPE", (type, field, value) => {
    const own = {
      payment: { merchant_name: "Shop" },
      transfer: { counterparty_account_id: "ACC-2" },
      refund: { original_transaction_id: original },
    }[type];
    const errors = errorsOf(decideJson({ type, ...own, [field]: value }));
    expect(errors).toEqual([
      { field, code: "NOT_ALLOWED_FOR_TYPE", message: `${field} does not belong to a ${type}` },
    ]);
  });

  it("names every kind problem at once, with the other field errors", () => {
    const errors = errorsOf(
      decideJson({ type: "cash_in", counterparty_account_id: "ACC-2", amount: "1.001" }),
    );
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ["counterparty_account_id", "NOT_ALLOWED_FOR_TYPE"],
      ["amount", "TOO_MANY_DECIMALS"],
    ]);
    expect(
      errorsOf(decideJson({ type: "refund", merchant_name: "Shop", counterparty_account_id: "X" })),
    ).toEqual([
      expect.objectContaining({ field: "counterparty_account_id", code: "NOT_ALLOWED_FOR_TYPE" }),
      expect.objectContaining({ field: "original_transaction_id", code: "REQUIRED" }),
    ]);
  });

  it("names a kind's missing or foreign fields with the errors of a body of the wrong shape", () => {
    const errors = errorsOf(decideJson({ type: "refund", amount: true, counterparty_account_id: "ACC-2" }));
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ["amount", "INVALID_UNION"],
      ["counterparty_account_id", "NOT_ALLOWED_FOR_TYPE"],
      ["original_transaction_id", "REQUIRED"],
    ]);
    const wrongFormat = errorsOf(
      decideJson({ type: "transfer", amount: true, counterparty_account_id: "a b" }),
    );
    expect(wrongFormat.map((e) => [e.field, e.code])).toEqual([
      ["amount", "INVALID_UNION"],
      ["counterparty_account_id", "INVALID_FORMAT"],
    ]);
  });

  it("refuses a transfer to the same account", () => {
    expect(errorsOf(decideJson({ type: "transfer", counterparty_account_id: "ACC-1" }))).toEqual([
      expect.objectContaining({ field: "counterparty_account_id", code: "SAME_ACCOUNT" }),
    ]);
  });

  it("refuses a refund of itself, by the id chosen or the id derived from the key", () => {
    const chosen = crypto.randomUUID();
    const byChosen = decideJson({ type: "refund", transaction_id: chosen, original_transaction_id: chosen });
    expect(errorsOf(byChosen).map((e) => e.code)).toEqual(["SAME_TRANSACTION"]);
    const byKey = decideJson(
      { type: "refund", original_transaction_id: idFromIdempotencyKey("dev", "k") },
      { idempotencyKey: "k" },
    );
    expect(errorsOf(byKey).map((e) => e.code)).toEqual(["SAME_TRANSACTION"]);
  });

  it.each([
    [{ type: "wire" }, "type"],
    [{ type: "transfer", counterparty_account_id: "no spaces" }, "counterparty_account_id"],
    [{ type: "transfer", counterparty_account_id: "" }, "counterparty_account_id"],
    [{ type: "refund", original_transaction_id: "not-a-uuid" }, "original_transaction_id"],
    [{ type: "cash_in", merchant_name: "" }, "merchant_name"],
  ])("checks the shape of %j", (fields, field) => {
    expect([...new Set(errorsOf(decideJson(fields)).map((e) => e.field))]).toEqual([field]);
  });

  it("hashes a payment exactly as before kinds existed", () => {
    const json = JSON.stringify({
      account_id: "ACC-1",
      amount: 1250.75,
      currency: "USD",
      merchant_name: "Chicago Retail Hub",
    });
    // sha256 of ["ACC-1","125075","USD","Chicago Retail Hub"]: the hash the ledger holds for such rows.
    const before = "b58429a60265a20619a010c27f9ec5f566fc028529dd16d96422660502a7c9cd";
    const plain = decide(json, { idempotencyKey: "k" });
    const typed = decide(json.replace("{", '{"type":"payment",'), { idempotencyKey: "k" });
    expect(plain.ok && plain.hash).toBe(before);
    expect(typed.ok && typed.hash).toBe(before);
  });

  it("hashes a kind's own fields: another counterparty or original is another body", () => {
    const hashOf = (fields: Record<string, unknown>) => {
      const decision = decideJson(fields, { idempotencyKey: "k" });
      return decision.ok ? decision.hash : undefined;
    };
    const toB = hashOf({ type: "transfer", counterparty_account_id: "ACC-2" });
    expect(toB).toBe(
      payloadHash({
        account_id: "ACC-1",
        amount_minor: 1250n,
        currency: "USD",
        merchant_name: "",
        type: "transfer",
        counterparty_account_id: "ACC-2",
        original_transaction_id: null,
      }),
    );
    expect(hashOf({ type: "transfer", counterparty_account_id: "ACC-3" })).not.toBe(toB);
    expect(hashOf({ type: "cash_in" })).not.toBe(hashOf({ type: "cash_out" }));
    const refund = hashOf({ type: "refund", original_transaction_id: original });
    expect(hashOf({ type: "refund", original_transaction_id: original.toUpperCase() })).toBe(refund);
    expect(hashOf({ type: "refund", original_transaction_id: crypto.randomUUID() })).not.toBe(refund);
  });
});
