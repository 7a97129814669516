import { idFromClientChosenId } from "@ledgerline/domain";
import type { OriginalRow } from "@ledgerline/ledger-db";
import { describe, expect, it } from "vitest";
import { validated } from "../../test/helpers.ts";
import { bookingOf } from "./refunds.ts";

const ORIGINAL = "0b6f3c1e-2a4d-4c8e-9f10-1a2b3c4d5e6f";

const original = (overrides: Partial<OriginalRow> = {}): OriginalRow => ({
  transaction_id: ORIGINAL,
  client_id: "test",
  account_id: "ACC-1001",
  type: "payment",
  status: "posted",
  currency: "USD",
  amount_minor: 10_000n,
  refunded_minor: 0n,
  merchant_name: "ACME BOOKS",
  counterparty_account_id: null,
  ...overrides,
});

const refund = (amount: bigint, named = ORIGINAL) =>
  validated({ type: "refund", amount_minor: amount, merchant_name: "", original_transaction_id: named });

const book = (value: ReturnType<typeof validated>, rows: OriginalRow[], already = 0n) =>
  bookingOf(
    value,
    (id) => rows.find((row) => row.transaction_id === id),
    () => already,
  );

describe("bookingOf", () => {
  it("books each kind's legs on accounts owned by the client", () => {
    const legs = (overrides: Parameters<typeof validated>[0]) => {
      const booking = book(validated(overrides), []);
      return booking._tag === "Book" ? booking.legs : booking;
    };
    expect(legs({})).toEqual({ debit: "customer:test:ACC-1001", credit: "merchant:ACME BOOKS" });
    expect(legs({ type: "transfer", counterparty_account_id: "ACC-2" })).toEqual({
      debit: "customer:test:ACC-1001",
      credit: "customer:test:ACC-2",
    });
    expect(legs({ type: "cash_in" })).toEqual({ debit: "system:cash", credit: "customer:test:ACC-1001" });
    expect(legs({ type: "cash_out" })).toEqual({ debit: "customer:test:ACC-1001", credit: "system:cash" });
    expect(legs({ type: "debit" })).toEqual({
      debit: "customer:test:ACC-1001",
      credit: "system:bank-transfers-out",
    });
    expect(legs({ client_id: "other" })).toEqual({
      debit: "customer:other:ACC-1001",
      credit: "merchant:ACME BOOKS",
    });
  });

  it("refunds reverse their original's legs, by its ledger id or the id the client chose", () => {
    expect(book(refund(2_500n), [original()])).toEqual({
      _tag: "Book",
      legs: { debit: "merchant:ACME BOOKS", credit: "customer:test:ACC-1001" },
      refundOf: ORIGINAL,
    });
    const chosen = "11111111-2222-4333-8444-555555555555";
    const derived = idFromClientChosenId("test", chosen);
    const transfer = original({
      transaction_id: derived,
      type: "transfer",
      counterparty_account_id: "ACC-2",
    });
    expect(book(refund(1n, chosen), [transfer])).toEqual({
      _tag: "Book",
      legs: { debit: "customer:test:ACC-2", credit: "customer:test:ACC-1001" },
      refundOf: derived,
    });
  });

  it("refuses a refund its original cannot take, with the reason", () => {
    const code = (value: ReturnType<typeof validated>, rows: OriginalRow[], already = 0n) => {
      const booking = book(value, rows, already);
      return booking._tag === "Refuse" ? booking.code : booking._tag;
    };
    expect(code(refund(1n), [])).toBe("ORIGINAL_NOT_FOUND");
    expect(code(refund(1n), [original({ client_id: "someone-else" })])).toBe("ORIGINAL_NOT_FOUND");
    expect(code(refund(1n), [original({ status: "rejected" })])).toBe("ORIGINAL_NOT_POSTED");
    expect(code(refund(1n), [original({ status: "historical" })])).toBe("ORIGINAL_NOT_POSTED");
    expect(code(refund(1n), [original({ type: "cash_in" })])).toBe("ORIGINAL_NOT_REFUNDABLE");
    expect(code(refund(1n), [original({ type: "refund" })])).toBe("ORIGINAL_NOT_REFUNDABLE");
    expect(code(refund(1n), [original({ account_id: "ACC-9" })])).toBe("REFUND_ACCOUNT_MISMATCH");
    expect(code(refund(1n), [original({ currency: "EUR" })])).toBe("REFUND_CURRENCY_MISMATCH");
    expect(code(refund(10_001n), [original()])).toBe("REFUND_EXCEEDS_ORIGINAL");
    expect(code(refund(5_000n), [original({ refunded_minor: 6_000n })])).toBe("REFUND_EXCEEDS_ORIGINAL");
    expect(code(refund(5_000n), [original({ refunded_minor: 3_000n })], 2_001n)).toBe(
      "REFUND_EXCEEDS_ORIGINAL",
    );
    expect(code(refund(5_000n), [original({ refunded_minor: 3_000n })], 2_000n)).toBe("Book");
  });
});

describe("bookingOf: records that did not come through the processor", () => {
  it("refuses a transfer without another account instead of booking a nameless one", () => {
    for (const counterparty of [null, "", "ACC-1001", "a:b"]) {
      const booking = book(validated({ type: "transfer", counterparty_account_id: counterparty }), []);
      expect(booking).toMatchObject({
        _tag: "Refuse",
        code: "COUNTERPARTY_INVALID",
        field: "counterparty_account_id",
      });
    }
  });
});
