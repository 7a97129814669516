import { describe, expect, it } from "vitest";
import { balanceDeltas, balanceKey, numberPostings, resumePosition } from "../src/index.ts";

const log = { topic: "t", partition: 0, topicId: "id-now", earliest: 10n, latest: 50n };

describe("resumePosition (Postgres is the only truth)", () => {
  it("resumes from the stored position", () => {
    expect(resumePosition({ topic: "t", partition: 0, nextOffset: 30n, topicId: "id-now" }, log)).toEqual(
      expect.objectContaining({ _tag: "Resume", offset: 30n }),
    );
  });

  it("starts a partition the ledger never stored from the log start", () => {
    expect(resumePosition(undefined, log)).toEqual(expect.objectContaining({ _tag: "Start", offset: 10n }));
  });

  it("stops on records deleted before they were applied (a retention gap)", () => {
    const decision = resumePosition({ topic: "t", partition: 0, nextOffset: 4n, topicId: "id-now" }, log);
    expect(decision).toMatchObject({ _tag: "Blocked", reason: "RetentionGap", stored: 4n });
    expect(decision._tag === "Blocked" && decision.detail).toContain("offsets 4 to 9 were deleted");
  });

  it("stops on a position stored for another incarnation of the topic", () => {
    expect(
      resumePosition({ topic: "t", partition: 0, nextOffset: 98_348n, topicId: "id-before" }, log),
    ).toMatchObject({
      _tag: "Blocked",
      reason: "OtherTopic",
    });
  });

  it("stops on a position beyond the log end (stored before topic ids were)", () => {
    expect(
      resumePosition({ topic: "t", partition: 0, nextOffset: 98_348n, topicId: null }, log),
    ).toMatchObject({
      _tag: "Blocked",
      reason: "AheadOfLog",
    });
  });
});

describe("balanceDeltas and numberPostings", () => {
  const postings = [
    { transaction_id: "a", ledger_account: "merchant:B", currency: "USD", amount_minor: 5n },
    { transaction_id: "a", ledger_account: "customer:A", currency: "USD", amount_minor: -5n },
    { transaction_id: "b", ledger_account: "customer:A", currency: "USD", amount_minor: -7n },
    { transaction_id: "b", ledger_account: "merchant:B", currency: "USD", amount_minor: 7n },
    { transaction_id: "c", ledger_account: "customer:A", currency: "EUR", amount_minor: -1n },
  ];

  it("sums and counts per account and currency, in a stable lock order", () => {
    expect(balanceDeltas(postings)).toEqual([
      { ledger_account: "customer:A", currency: "EUR", delta_minor: -1n, count: 1n },
      { ledger_account: "customer:A", currency: "USD", delta_minor: -12n, count: 2n },
      { ledger_account: "merchant:B", currency: "USD", delta_minor: 12n, count: 2n },
    ]);
  });

  it("numbers each posting in batch order from the row the balance upsert returned", () => {
    // customer:A USD stood at 100 after 7 postings; it ends at 88 after 9. merchant:B is new. EUR: 0 → -1.
    const after = new Map([
      [balanceKey("customer:A", "USD"), { balance_minor: 88n, last_seq: 9n }],
      [balanceKey("merchant:B", "USD"), { balance_minor: 12n, last_seq: 2n }],
      [balanceKey("customer:A", "EUR"), { balance_minor: -1n, last_seq: 1n }],
    ]);
    expect(
      numberPostings(postings, after).map((p) => [p.ledger_account, p.account_seq, p.balance_after_minor]),
    ).toEqual([
      ["merchant:B", 1n, 5n],
      ["customer:A", 8n, 95n],
      ["customer:A", 9n, 88n],
      ["merchant:B", 2n, 12n],
      ["customer:A", 1n, -1n],
    ]);
  });
});
