import type { TransactionRequested } from "@ledgerline/contracts";
import { payloadHash } from "@ledgerline/domain";
import { describe, expect, it } from "vitest";
import { type DecisionContext, decide } from "./decide.ts";
import type { FxRate } from "./fx.ts";
import { loadMerchantTable, merchantCategoriser } from "./merchants.ts";

const now = new Date("2026-11-23T12:00:00Z");
const asOf = new Date("2026-11-01T00:00:00Z");
const rate = (currency: string, value: string): [string, FxRate] => [
  currency,
  { currency, baseCurrency: "USD", rate: value, asOf },
];
const context: DecisionContext = {
  now,
  baseCurrency: "USD",
  fx: new Map([rate("EUR", "1.0845"), rate("JPY", "0.006634")]),
  categorise: merchantCategoriser(loadMerchantTable()),
};

const request = (overrides: Partial<TransactionRequested> = {}): TransactionRequested => ({
  transaction_id: "4f1c9a52-6a0e-4d43-9a51-0b8f3f2b7c11",
  account_id: "ACC-7890",
  amount_minor: 125_075n,
  currency: "EUR",
  merchant_name: " Amazon  Mktp ",
  occurred_at: new Date("2026-11-23T11:59:00Z"),
  accepted_at: new Date("2026-11-23T11:59:01Z"),
  client_id: "external",
  idempotency_key: null,
  metadata: {},
  type: "payment",
  counterparty_account_id: null,
  original_transaction_id: null,
  ...overrides,
});

describe("decide", () => {
  it("validates and enriches a good transaction", () => {
    const decision = decide({ ok: true, request: request() }, context);
    expect(decision._tag).toBe("Validated");
    if (decision._tag !== "Validated") return;
    expect(decision.key).toBe("ACC-7890");
    expect(decision.value).toMatchObject({
      merchant_name: "AMAZON MKTP",
      merchant_category: "retail",
      base_currency: "USD",
      base_amount_minor: 135_644n, // 1250.75 × 1.0845 = 1356.438375 → 1356.44
      fx_rate: "1.084500000000",
      fx_rate_as_of: asOf,
      risk_flags: [],
      validated_at: now,
    });
    expect(decision.value.payload_hash).toBe(
      payloadHash({
        account_id: "ACC-7890",
        amount_minor: 125_075n,
        currency: "EUR",
        merchant_name: " Amazon  Mktp ",
      }),
    );
  });

  it("converts the base currency at rate 1", () => {
    const decision = decide({ ok: true, request: request({ currency: "USD", amount_minor: 999n }) }, context);
    expect(decision._tag === "Validated" && decision.value.base_amount_minor).toBe(999n);
    expect(decision._tag === "Validated" && decision.value.fx_rate).toBe("1.000000000000");
  });

  it("rejects with every failing reason code", () => {
    const decision = decide(
      {
        ok: true,
        request: request({
          account_id: "x!",
          currency: "XXX",
          merchant_name: "   ",
          occurred_at: new Date("2026-11-24T12:00:00Z"),
        }),
      },
      context,
    );
    expect(decision._tag).toBe("Rejected");
    if (decision._tag !== "Rejected") return;
    expect(decision.value.reasons.map((reason) => reason.code)).toEqual([
      "ACCOUNT_ID_FORMAT",
      "CURRENCY_UNSUPPORTED",
      "MERCHANT_MISSING",
      "OCCURRED_IN_FUTURE",
    ]);
    expect(decision.value.rejected_at).toBe(now);
  });

  it("rejects amounts out of range and currencies without a rate", () => {
    const zero = decide({ ok: true, request: request({ amount_minor: 0n }) }, context);
    expect(zero._tag === "Rejected" && zero.value.reasons.map((r) => r.code)).toEqual([
      "AMOUNT_OUT_OF_RANGE",
    ]);
    const huge = decide({ ok: true, request: request({ amount_minor: 100_000_000_001n * 100n }) }, context);
    expect(huge._tag === "Rejected" && huge.value.reasons.map((r) => r.code)).toEqual([
      "AMOUNT_OUT_OF_RANGE",
    ]);
    const noRate = decide({ ok: true, request: request({ currency: "GBP" }) }, context);
    expect(noRate._tag === "Rejected" && noRate.value.reasons.map((r) => r.code)).toEqual([
      "FX_RATE_MISSING",
    ]);
  });

  it("tolerates small clock skew", () => {
    const skewed = decide(
      { ok: true, request: request({ occurred_at: new Date(now.getTime() + 60_000) }) },
      context,
    );
    expect(skewed._tag).toBe("Validated");
  });

  it("flags large amounts and PaySim's large transfers", () => {
    const paysim = decide(
      {
        ok: true,
        request: request({
          currency: "USD",
          amount_minor: 20_000_001n,
          merchant_name: "C1231006815",
          metadata: { type: "TRANSFER", isFraud: "1" },
        }),
      },
      context,
    );
    expect(paysim._tag === "Validated" && paysim.value.risk_flags).toEqual([
      "LARGE_AMOUNT",
      "PAYSIM_LARGE_TRANSFER",
      "PAYSIM_FRAUD",
    ]);
    const exactly200k = decide(
      {
        ok: true,
        request: request({ currency: "USD", amount_minor: 20_000_000n, metadata: { type: "TRANSFER" } }),
      },
      context,
    );
    expect(exactly200k._tag === "Validated" && exactly200k.value.risk_flags).toEqual(["LARGE_AMOUNT"]);
    const payment = decide(
      {
        ok: true,
        request: request({ currency: "USD", amount_minor: 30_000_000n, metadata: { type: "PAYMENT" } }),
      },
      context,
    );
    expect(payment._tag === "Validated" && payment.value.risk_flags).toEqual(["LARGE_AMOUNT"]);
    const jpy = decide(
      { ok: true, request: request({ currency: "JPY", amount_minor: 1_499_999n }) },
      context,
    );
    expect(jpy._tag === "Validated" && jpy.value.risk_flags).toEqual([]);
  });

  it("dead-letters poison input and enrichment failures", () => {
    const poison = decide(
      { ok: false, reasonCode: "NOT_WIRE_FORMAT", errorClass: "RegistryError", message: "bad bytes" },
      context,
    );
    expect(poison).toEqual({
      _tag: "DeadLetter",
      transactionId: null,
      reasonCode: "NOT_WIRE_FORMAT",
      errorClass: "RegistryError",
      message: "bad bytes",
    });
    const throwing = decide(
      { ok: true, request: request() },
      {
        ...context,
        categorise: () => {
          throw new TypeError("boom");
        },
      },
    );
    expect(throwing).toMatchObject({
      _tag: "DeadLetter",
      reasonCode: "ENRICHMENT_FAILED",
      errorClass: "TypeError",
    });
  });

  it("rejects text with control characters from a foreign producer, naming the fields, in a storable form", () => {
    const decision = decide(
      {
        ok: true,
        request: request({ merchant_name: "Amazon\u0000Mktp", metadata: { note: "a\u0001b", ok: "fine" } }),
      },
      context,
    );
    expect(decision._tag).toBe("Rejected");
    if (decision._tag !== "Rejected") return;
    expect(decision.value.reasons.map((r) => [r.code, r.field])).toEqual([
      ["TEXT_CONTROL_CHARACTERS", "merchant_name"],
      ["TEXT_CONTROL_CHARACTERS", "metadata.note"],
    ]);
    expect(decision.value.merchant_name).toBe("Amazon\ufffdMktp");
    expect(decision.value.metadata).toEqual({ note: "a\ufffdb", ok: "fine" });
    // The hash is the original's: a retry of the same bytes is the same transaction.
    expect(decision.value.payload_hash).toBe(
      payloadHash({
        account_id: "ACC-7890",
        amount_minor: 125_075n,
        currency: "EUR",
        merchant_name: "Amazon\u0000Mktp",
      }),
    );
  });
});

describe("decide: transaction kinds", () => {
  const codes = (overrides: Partial<TransactionRequested>) => {
    const decision = decide({ ok: true, request: request(overrides) }, context);
    return decision._tag === "Rejected"
      ? decision.value.reasons.map((r) => [r.code, r.field])
      : decision._tag;
  };
  const ORIGINAL = "0b6f3c1e-2a4d-4c8e-9f10-1a2b3c4d5e6f";

  it("validates every kind with its own fields, and a record of version 1 is a payment", () => {
    expect(codes({ type: "transfer", merchant_name: "", counterparty_account_id: "ACC-2" })).toBe(
      "Validated",
    );
    expect(codes({ type: "cash_in", merchant_name: "" })).toBe("Validated");
    expect(codes({ type: "cash_out", merchant_name: "" })).toBe("Validated");
    expect(codes({ type: "debit", merchant_name: "" })).toBe("Validated");
    expect(codes({ type: "refund", merchant_name: "", original_transaction_id: ORIGINAL })).toBe("Validated");
    expect(codes({})).toBe("Validated");
  });

  it("rejects what does not belong to the kind, and what it lacks", () => {
    expect(codes({ type: "wire" })).toEqual([["TYPE_UNSUPPORTED", "type"]]);
    expect(codes({ type: "payment", merchant_name: " " })).toEqual([["MERCHANT_MISSING", "merchant_name"]]);
    expect(codes({ type: "transfer" })).toEqual([["FIELD_REQUIRED", "counterparty_account_id"]]);
    expect(codes({ type: "refund" })).toEqual([["FIELD_REQUIRED", "original_transaction_id"]]);
    expect(
      codes({ type: "cash_in", counterparty_account_id: "ACC-2", original_transaction_id: ORIGINAL }),
    ).toEqual([
      ["FIELD_NOT_ALLOWED", "counterparty_account_id"],
      ["FIELD_NOT_ALLOWED", "original_transaction_id"],
    ]);
    expect(codes({ type: "payment", counterparty_account_id: "ACC-2" })).toEqual([
      ["FIELD_NOT_ALLOWED", "counterparty_account_id"],
    ]);
  });

  it("rejects a transfer to the same account and malformed references", () => {
    expect(codes({ type: "transfer", counterparty_account_id: "ACC-7890" })).toEqual([
      ["COUNTERPARTY_SAME_ACCOUNT", "counterparty_account_id"],
    ]);
    expect(codes({ type: "transfer", counterparty_account_id: "a b" })).toEqual([
      ["COUNTERPARTY_FORMAT", "counterparty_account_id"],
    ]);
    expect(codes({ type: "refund", original_transaction_id: "not-an-id" })).toEqual([
      ["ORIGINAL_FORMAT", "original_transaction_id"],
    ]);
  });

  it("categorises the other kinds by what they are, and hashes their own fields", () => {
    const transfer = decide(
      {
        ok: true,
        request: request({ type: "transfer", merchant_name: "", counterparty_account_id: "ACC-2" }),
      },
      context,
    );
    const other = decide(
      {
        ok: true,
        request: request({ type: "transfer", merchant_name: "", counterparty_account_id: "ACC-3" }),
      },
      context,
    );
    if (transfer._tag !== "Validated" || other._tag !== "Validated") throw new Error("not validated");
    expect(transfer.value).toMatchObject({
      type: "transfer",
      merchant_category: "transfer",
      merchant_name: "",
    });
    expect(transfer.value.payload_hash).not.toBe(other.value.payload_hash);
    const refund = decide(
      { ok: true, request: request({ type: "refund", original_transaction_id: ORIGINAL.toUpperCase() }) },
      context,
    );
    expect(refund._tag === "Validated" && refund.value.original_transaction_id).toBe(ORIGINAL);
  });
});
