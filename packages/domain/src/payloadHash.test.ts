import { hash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type HashedContent, payloadHash } from "./payloadHash.ts";

// The hash as first written (a spread of a conditional array): the bytes are persisted, so they must not move.
const reference = (content: HashedContent): string =>
  hash(
    "sha256",
    JSON.stringify([
      content.account_id,
      content.amount_minor.toString(),
      content.currency,
      content.merchant_name,
      ...(content.type === undefined || content.type === "payment"
        ? []
        : [content.type, content.counterparty_account_id ?? "", content.original_transaction_id ?? ""]),
    ]),
    "hex",
  );

describe("payloadHash", () => {
  const base = {
    account_id: "ACC-7890",
    amount_minor: 125075n,
    currency: "USD",
    merchant_name: 'Café "x"\n',
  };

  it("hashes every kind to the same hex as before", () => {
    const contents: HashedContent[] = [
      base,
      { ...base, type: "payment" },
      { ...base, type: "payment", counterparty_account_id: "ACC-1", original_transaction_id: "x" },
      { ...base, type: "transfer", counterparty_account_id: "ACC-1234", original_transaction_id: null },
      { ...base, type: "refund", counterparty_account_id: null, original_transaction_id: "8f14e45f" },
      { ...base, type: "refund" },
      { ...base, amount_minor: -9_007_199_254_740_993n, merchant_name: "\u0000\ud83d\ude00" },
    ];
    for (const content of contents) expect(payloadHash(content)).toBe(reference(content));
  });

  it("is SHA-256 hex of the JSON array of the fields", () => {
    expect(payloadHash(base)).toBe(
      hash("sha256", JSON.stringify(["ACC-7890", "125075", "USD", 'Café "x"\n']), "hex"),
    );
  });
});
