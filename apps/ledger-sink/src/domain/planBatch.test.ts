import type { ConsumedRecord } from "@ledgerline/kafka";
import {
  balanceKey,
  type ExistingRow,
  type LimitedBalance,
  type OriginalRow,
  type StoredPosition,
} from "@ledgerline/ledger-db";
import { describe, expect, it } from "vitest";
import { deadLetter, rejected, validated } from "../../test/helpers.ts";
import { accountsTouched } from "./accountsTouched.ts";
import { deadLetterFromJson } from "./deadLetterJson.ts";
import { decideRecords } from "./planBatch.ts";
import type { DecodedRecord, PlanContext } from "./recordDecision.ts";
import { postedFromJson, type SinkInput } from "./toLedgerRows.ts";
import { rowsOnly, summarize, writePlanOf } from "./writePlan.ts";

const record = (offset: number, partition = 0, topic = "t.validated"): ConsumedRecord =>
  ({
    topic,
    partition,
    offset: BigInt(offset),
    key: "ACC-1",
    value: Buffer.from("bytes"),
    headers: new Map(),
    timestamp: 1_700_000_000_000n,
    leaderEpoch: 0,
    metadata: {},
  }) as unknown as ConsumedRecord;

const decoded = (
  offset: number,
  value: SinkInput["value"],
  tag: SinkInput["_tag"] = "Validated",
): DecodedRecord => {
  const r = record(offset);
  return {
    _tag: "Decoded",
    record: r,
    input: { _tag: tag, coordinates: { topic: r.topic, partition: 0, offset: r.offset }, value } as SinkInput,
  };
};

const context = (
  options: {
    stored?: StoredPosition;
    existing?: ExistingRow[];
    originals?: OriginalRow[];
    limited?: LimitedBalance[];
  } = {},
): PlanContext => {
  let n = 0;
  return {
    now: new Date("2025-02-01T00:00:00.000Z"),
    newEventId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    stored: () => options.stored,
    existing: new Map((options.existing ?? []).map((row) => [row.transaction_id, row])),
    originals: new Map((options.originals ?? []).map((row) => [row.transaction_id, row])),
    limited: new Map(
      (options.limited ?? []).map((row) => [balanceKey(row.ledger_account, row.currency), row]),
    ),
    topicIds: new Map([["t.validated", "7c6b4c2e-0000-4000-8000-000000000001"]]),
    attempts: 1,
    traceparentOf: () => null,
  };
};

describe("decideRecords", () => {
  it("applies a validated record: a posted row, two balanced postings, one transactions.posted event", () => {
    const v = validated({
      account_id: "ACC-7",
      amount_minor: 1234n,
      currency: "BHD",
      merchant_name: " corner  shop ",
    });
    const [decision] = decideRecords([decoded(0, v)], context());
    if (decision?._tag !== "Apply") throw new Error(`expected Apply, got ${decision?._tag}`);
    expect(decision.entry.row).toMatchObject({ status: "posted", amount_minor: "1234", currency: "BHD" });
    expect(decision.entry.postings.map((p) => [p.ledger_account, p.amount_minor])).toEqual([
      ["customer:test:ACC-7", -1234n],
      ["merchant:CORNER SHOP", 1234n],
    ]);
    const [event] = decision.entry.events;
    expect(event).toMatchObject({
      topic_id: "posted",
      event_type: "TransactionPosted",
      aggregate_id: "ACC-7",
    });
    expect(postedFromJson(event?.payload ?? {})).toMatchObject({
      amount_minor: 1234n,
      debit_account: "customer:test:ACC-7",
    });
  });

  it("skips what the stored position already covers, whatever its content", () => {
    const stored = { topic: "t.validated", partition: 0, nextOffset: 2n, topicId: null };
    const tags = decideRecords(
      [decoded(0, validated()), decoded(1, validated()), decoded(2, validated())],
      context({ stored }),
    );
    expect(tags.map((d) => d._tag)).toEqual(["AlreadyApplied", "AlreadyApplied", "Apply"]);
  });

  it("drops exact repeats, and a repeated id with other content is a conflict with a dead letter", () => {
    const v = validated();
    const other = validated({ transaction_id: v.transaction_id, amount_minor: 1n });
    const decisions = decideRecords([decoded(0, v), decoded(1, v), decoded(2, other)], context());
    expect(decisions.map((d) => d._tag)).toEqual(["Apply", "AlreadyApplied", "Conflict"]);
    const conflict = decisions[2];
    if (conflict?._tag !== "Conflict") throw new Error("expected a conflict");
    expect(conflict.conflict).toMatchObject({ existing_hash: v.payload_hash, new_hash: other.payload_hash });
    expect(deadLetterFromJson(conflict.event.payload)).toMatchObject({
      reason_code: "PAYLOAD_CONFLICT",
      transaction_id: v.transaction_id,
      original_offset: 2n,
      stage: "ledger-sink",
    });
  });

  it("compares with what the ledger already holds", () => {
    const v = validated();
    const same = [{ transaction_id: v.transaction_id, payload_hash: v.payload_hash, status: "posted" }];
    const other = [{ transaction_id: v.transaction_id, payload_hash: "another", status: "posted" }];
    expect(decideRecords([decoded(0, v)], context({ existing: same }))[0]?._tag).toBe("AlreadyApplied");
    expect(decideRecords([decoded(0, v)], context({ existing: other }))[0]?._tag).toBe("Conflict");
    // A replayed dead letter that now passes upgrades the dead_lettered row.
    const dead = [{ transaction_id: v.transaction_id, payload_hash: null, status: "dead_lettered" }];
    const [upgrade] = decideRecords([decoded(0, v)], context({ existing: dead }));
    expect(upgrade).toMatchObject({ _tag: "Apply", entry: { upgrade: true } });
    // Every other row is new: an insert.
    const [fresh] = decideRecords([decoded(0, v)], context());
    expect(fresh?._tag === "Apply" && fresh.entry.upgrade).toBeFalsy();
  });

  it("records rejections with reasons, and dead letters from the DLQ as dead_lettered rows", () => {
    const id = "11111111-1111-4111-8111-111111111111";
    const decisions = decideRecords(
      [
        decoded(0, rejected(), "Rejected"),
        decoded(1, deadLetter(id), "DeadLettered"),
        decoded(2, deadLetter(null), "DeadLettered"),
      ],
      context(),
    );
    expect(decisions.map((d) => d._tag)).toEqual(["Reject", "DeadLetter", "DeadLetter"]);
    const dead = decisions[1];
    if (dead?._tag !== "DeadLetter") throw new Error("expected a dead letter");
    expect(dead.entry?.row).toMatchObject({ transaction_id: id, status: "dead_lettered" });
    expect(dead.entry?.row.dead_letter_reason).toMatch(/^ENRICHMENT_FAILED \(processor\)/);
    expect(dead.event).toBeNull();
    // A dead letter without an id has nothing to record.
    expect(decisions[2]).toMatchObject({ entry: null, event: null });
  });

  it("ends a record the database refused as a dead_lettered row with its id, and a DLQ envelope", () => {
    const v = validated({ metadata: { note: "nul\u0000byte" } });
    const refused: DecodedRecord = {
      ...decoded(5, v),
      _tag: "Refused",
      reason: "22P05: unsupported Unicode escape sequence",
    } as DecodedRecord;
    const [decision] = decideRecords([refused], context());
    if (decision?._tag !== "DeadLetter") throw new Error("expected a dead letter");
    expect(decision.entry?.row).toMatchObject({ transaction_id: v.transaction_id, status: "dead_lettered" });
    expect(decision.entry?.row.dead_letter_reason).toContain("LEDGER_REFUSED (ledger-sink): 22P05");
    expect(deadLetterFromJson(decision.event?.payload ?? {})).toMatchObject({
      reason_code: "LEDGER_REFUSED",
      transaction_id: v.transaction_id,
      original_value: Buffer.from("bytes"),
    });
    // When the ledger already has a row for the id, it stays; the dead letter still says why.
    const existing = [{ transaction_id: v.transaction_id, payload_hash: null, status: "dead_lettered" }];
    const [kept] = decideRecords([refused], context({ existing }));
    expect(kept).toMatchObject({ _tag: "DeadLetter", entry: null, event: { topic_id: "dlq" } });
  });

  it("dead-letters unreadable bytes without an id", () => {
    const unreadable: DecodedRecord = {
      _tag: "Unreadable",
      record: record(3),
      code: "NOT_WIRE_FORMAT",
      errorClass: "RegistryError",
      message: "not wire format",
    };
    const [decision] = decideRecords([unreadable], context());
    expect(decision).toMatchObject({ _tag: "DeadLetter", entry: null });
  });
});

describe("writePlanOf and summarize", () => {
  it("writes each partition's next offset with its topic id, and counts what was done", () => {
    const v = validated();
    const records = [decoded(4, v), decoded(5, v), decoded(6, rejected(), "Rejected")];
    const decisions = decideRecords(records, context());
    const plan = writePlanOf(records, decisions, context());
    expect(plan.positions).toEqual([
      { topic: "t.validated", partition: 0, nextOffset: 7n, topicId: "7c6b4c2e-0000-4000-8000-000000000001" },
    ]);
    expect(plan.entries.map((e) => e.row.status)).toEqual(["posted", "rejected"]);
    expect(summarize(decisions, new Set())).toMatchObject({
      posted: 1,
      rejected: 1,
      duplicates: 1,
      outboxEvents: 1,
    });
    // An entry a concurrent writer had already written counts as a duplicate.
    expect(summarize(decisions, new Set([plan.entries[0]!]))).toMatchObject({ posted: 0, duplicates: 2 });
  });

  it("rows-only keeps the rows, conflicts and positions, and drops postings and outbox events", () => {
    const v = validated();
    const records = [
      decoded(4, v),
      decoded(5, validated({ transaction_id: v.transaction_id, amount_minor: 1n })),
    ];
    const plan = writePlanOf(records, decideRecords(records, context()), context());
    expect(plan.events).toHaveLength(1); // the conflict's dead letter
    const lite = rowsOnly(plan);
    expect(lite.entries.map((e) => [e.row.status, e.postings.length, e.events.length])).toEqual([
      ["posted", 0, 0],
    ]);
    expect(lite.events).toEqual([]);
    expect(lite.conflicts).toEqual(plan.conflicts);
    expect(lite.positions).toEqual(plan.positions);
  });
});

/** A posted cash_out of 1,000 in the ledger, as lockOriginals reads it. */
const storedCashOut = (id: string, refundedMinor: bigint): OriginalRow => ({
  transaction_id: id,
  client_id: "test",
  account_id: "ACC-1001",
  type: "cash_out",
  status: "posted",
  currency: "USD",
  amount_minor: 1_000n,
  refunded_minor: refundedMinor,
  merchant_name: "",
  counterparty_account_id: null,
});

describe("decideRecords: kinds and refunds", () => {
  it("refunds a payment of the same batch in parts, and refuses the part that would exceed it", () => {
    const payment = validated({ amount_minor: 1_000n });
    const refund = (amount: bigint) =>
      validated({
        type: "refund",
        merchant_name: "",
        amount_minor: amount,
        original_transaction_id: payment.transaction_id,
      });
    const decisions = decideRecords(
      [decoded(0, payment), decoded(1, refund(600n)), decoded(2, refund(500n)), decoded(3, refund(400n))],
      context(),
    );
    expect(decisions.map((d) => d._tag)).toEqual(["Apply", "Apply", "Reject", "Apply"]);
    const [, first, refused, last] = decisions;
    if (first?._tag !== "Apply" || refused?._tag !== "Reject" || last?._tag !== "Apply")
      throw new Error("tags");
    expect(first.entry.refund).toEqual({
      original_transaction_id: payment.transaction_id,
      amount_minor: 600n,
    });
    expect(first.entry.postings.map((p) => [p.ledger_account, p.amount_minor])).toEqual([
      ["merchant:ACME BOOKS", -600n],
      ["customer:test:ACC-1001", 600n],
    ]);
    expect(refused.entry.row).toMatchObject({
      status: "rejected",
      type: "refund",
      original_transaction_id: payment.transaction_id,
      rejection_reasons: [expect.objectContaining({ code: "REFUND_EXCEEDS_ORIGINAL" })],
    });
    expect(postedFromJson(last.entry.events[0]?.payload ?? {})).toMatchObject({
      type: "refund",
      original_transaction_id: payment.transaction_id,
      debit_account: "merchant:ACME BOOKS",
      credit_account: "customer:test:ACC-1001",
    });
  });

  it("reads what earlier batches refunded from the original's locked row", () => {
    const id = "0b6f3c1e-2a4d-4c8e-9f10-1a2b3c4d5e6f";
    const row = storedCashOut(id, 900n);
    const refund = (amount: bigint) =>
      validated({ type: "refund", merchant_name: "", amount_minor: amount, original_transaction_id: id });
    const decisions = decideRecords(
      [decoded(0, refund(101n)), decoded(1, refund(100n))],
      context({ originals: [row] }),
    );
    expect(decisions.map((d) => d._tag)).toEqual(["Reject", "Apply"]);
    const applied = decisions[1];
    if (applied?._tag !== "Apply") throw new Error("tags");
    expect(applied.entry.postings.map((p) => [p.ledger_account, p.amount_minor])).toEqual([
      ["system:cash", -100n],
      ["customer:test:ACC-1001", 100n],
    ]);
  });
});

describe("decideRecords: overdraft limits", () => {
  const customer = "customer:test:ACC-1001";
  const limited = (balance: bigint, limit: bigint): LimitedBalance => ({
    ledger_account: customer,
    currency: "USD",
    balance_minor: balance,
    overdraft_limit_minor: limit,
  });
  const debit = (amount: bigint) => validated({ amount_minor: amount });

  it("refuses exactly the debits that would take a limited account below minus its limit, in order", () => {
    // 300 held, limit 100: 250 fits (50 left), 200 does not (-150), 150 does (-100, the limit itself), 1 does not.
    const records = [debit(250n), debit(200n), debit(150n), debit(1n)].map((v, n) => decoded(n, v));
    const ctx = context({ limited: [limited(300n, 100n)] });
    const decisions = decideRecords(records, ctx);
    expect(decisions.map((d) => d._tag)).toEqual(["Apply", "Reject", "Apply", "Reject"]);
    const refused = decisions[1];
    if (refused?._tag !== "Reject") throw new Error("tags");
    expect(refused.entry.row).toMatchObject({
      status: "rejected",
      posted_at: null,
      rejection_reasons: [expect.objectContaining({ code: "INSUFFICIENT_FUNDS", field: "amount" })],
    });
    expect(refused.entry.postings).toEqual([]);
    // A refusal is published like every other outcome: a transactions.rejected event from the outbox.
    expect(refused.entry.events.map((e) => [e.topic_id, e.event_type, e.aggregate_id])).toEqual([
      ["rejected", "TransactionRejected", "ACC-1001"],
    ]);
    // The plan says which limited balances it decided against: the writer retries if it meets another.
    expect([...writePlanOf(records, decisions, ctx).limited]).toEqual([balanceKey(customer, "USD")]);
  });

  it("an account without a limit may go below zero as before; credits are never refused", () => {
    const decisions = decideRecords([decoded(0, debit(5_000n))], context());
    expect(decisions.map((d) => d._tag)).toEqual(["Apply"]);
    const cashIn = validated({ type: "cash_in", merchant_name: "", amount_minor: 10n });
    expect(decideRecords([decoded(0, cashIn)], context({ limited: [limited(-100n, 100n)] }))[0]?._tag).toBe(
      "Apply",
    );
  });

  it("a refund credits the limited account back, and a later debit of the batch may use it", () => {
    const payment = debit(400n);
    const refund = validated({
      type: "refund",
      merchant_name: "",
      amount_minor: 400n,
      original_transaction_id: payment.transaction_id,
    });
    const decisions = decideRecords(
      [decoded(0, payment), decoded(1, debit(1n)), decoded(2, refund), decoded(3, debit(400n))],
      context({ limited: [limited(0n, 400n)] }),
    );
    // 0 → -400 (at the limit) → 1 more refused → 0 (the refund credits it) → -400 again.
    expect(decisions.map((d) => d._tag)).toEqual(["Apply", "Reject", "Apply", "Apply"]);
  });
});

describe("accountsTouched", () => {
  it("names each record's legs, and for a refund the legs of any transaction its original could be", () => {
    const payment = validated({ amount_minor: 10n });
    const transfer = validated({ type: "transfer", merchant_name: "", counterparty_account_id: "ACC-2" });
    const id = "0b6f3c1e-2a4d-4c8e-9f10-1a2b3c4d5e6f";
    const refundOfStored = validated({ type: "refund", merchant_name: "", original_transaction_id: id });
    const refundInBatch = validated({
      type: "refund",
      merchant_name: "",
      original_transaction_id: payment.transaction_id,
    });
    const stored = storedCashOut(id, 0n);
    // A refund of a refund books nothing (ORIGINAL_NOT_REFUNDABLE): it names no account of its own.
    const refundOfRefund = validated({
      type: "refund",
      merchant_name: "",
      original_transaction_id: refundInBatch.transaction_id,
    });
    const accounts = accountsTouched(
      [payment, transfer, refundOfStored, refundInBatch, refundOfRefund].map((v, n) => decoded(n, v)),
      new Map([[id, stored]]),
    );
    expect(accounts.map((a) => `${a.ledger_account}/${a.currency}`).sort()).toEqual([
      "customer:test:ACC-1001/USD",
      "customer:test:ACC-2/USD",
      "merchant:ACME BOOKS/USD",
      "system:cash/USD",
    ]);
  });
});
