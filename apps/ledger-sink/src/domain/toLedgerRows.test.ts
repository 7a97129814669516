import { describe, expect, it } from "vitest";
import { deadLetter, rejected, validated } from "../../test/helpers.ts";
import { aggregateBalanceDeltas, planBatch, postedFromJson, type SinkInput } from "./toLedgerRows.ts";

const at = (offset: number) => ({ topic: "t", partition: 0, offset: BigInt(offset) });
const context = () => {
  let n = 0;
  return {
    now: new Date("2025-02-01T00:00:00.000Z"),
    newEventId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
  };
};

describe("planBatch", () => {
  it("turns a validated record into a posted row, two balanced postings and one outbox event", () => {
    const v = validated({
      account_id: "ACC-7",
      amount_minor: 1234n,
      currency: "BHD",
      merchant_name: " corner  shop ",
    });
    const plan = planBatch([{ _tag: "Validated", coordinates: at(0), value: v }], context());
    const [candidate] = plan.candidates;
    expect(candidate?.row).toMatchObject({
      status: "posted",
      amount_minor: "1234",
      currency: "BHD",
      payload_hash: v.payload_hash,
    });
    expect(candidate?.postings).toEqual([
      {
        transaction_id: v.transaction_id,
        ledger_account: "customer:ACC-7",
        currency: "BHD",
        amount_minor: -1234n,
      },
      {
        transaction_id: v.transaction_id,
        ledger_account: "merchant:CORNER SHOP",
        currency: "BHD",
        amount_minor: 1234n,
      },
    ]);
    const posted = postedFromJson(candidate?.outbox?.payload ?? {});
    expect(posted).toMatchObject({
      amount_minor: 1234n,
      account_id: "ACC-7",
      debit_account: "customer:ACC-7",
      event_id: candidate?.outbox?.event_id,
    });
    expect(posted.posted_at.toISOString()).toBe("2025-02-01T00:00:00.000Z");
  });

  it("drops exact repeats and reports a repeated id with another hash as a conflict", () => {
    const v = validated();
    const other = validated({ transaction_id: v.transaction_id, amount_minor: 1n });
    const inputs: SinkInput[] = [
      { _tag: "Validated", coordinates: at(0), value: v },
      { _tag: "Validated", coordinates: at(1), value: v },
      { _tag: "Validated", coordinates: at(2), value: other },
    ];
    const plan = planBatch(inputs, context());
    expect(plan.candidates).toHaveLength(1);
    expect(plan.duplicates).toBe(1);
    expect(plan.conflicts).toEqual([{ input: inputs[2], existingHash: v.payload_hash }]);
  });

  it("records rejections with reasons and dead letters with their reason, without postings", () => {
    const r = rejected();
    const plan = planBatch(
      [
        { _tag: "Rejected", coordinates: at(0), value: r },
        {
          _tag: "DeadLettered",
          coordinates: at(1),
          value: deadLetter("11111111-1111-4111-8111-111111111111"),
        },
        { _tag: "DeadLettered", coordinates: at(2), value: deadLetter(null, "NOT_WIRE_FORMAT") },
      ],
      context(),
    );
    expect(plan.candidates.map((c) => [c.row.status, c.postings.length, c.outbox])).toEqual([
      ["rejected", 0, null],
      ["dead_lettered", 0, null],
    ]);
    expect(plan.candidates[1]?.row.dead_letter_reason).toMatch(/^ENRICHMENT_FAILED \(processor\)/);
  });
});

describe("aggregateBalanceDeltas", () => {
  it("sums per account and currency in a stable lock order", () => {
    const deltas = aggregateBalanceDeltas([
      { transaction_id: "a", ledger_account: "merchant:B", currency: "USD", amount_minor: 5n },
      { transaction_id: "a", ledger_account: "customer:A", currency: "USD", amount_minor: -5n },
      { transaction_id: "b", ledger_account: "customer:A", currency: "USD", amount_minor: -7n },
      { transaction_id: "b", ledger_account: "merchant:B", currency: "USD", amount_minor: 7n },
      { transaction_id: "c", ledger_account: "customer:A", currency: "EUR", amount_minor: -1n },
    ]);
    expect(deltas).toEqual([
      { ledger_account: "customer:A", currency: "EUR", delta_minor: -1n },
      { ledger_account: "customer:A", currency: "USD", delta_minor: -12n },
      { ledger_account: "merchant:B", currency: "USD", delta_minor: 12n },
    ]);
  });
});
