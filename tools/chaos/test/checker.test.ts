import { describe, expect, it } from "vitest";
import {
  anomalySummary,
  check,
  kindFigures,
  type LedgerRow,
  type Observations,
  requiredRefusal,
  type SentTransaction,
} from "../src/checker.ts";

const clean = (): Observations => ({
  accepted: new Map([
    ["k1", ["t1"]],
    ["k2", ["t2", "t2"]], // resent after a lost answer: same id
  ]),
  ledger: new Map([
    ["t1", { status: "posted" }],
    ["t2", { status: "rejected" }],
  ]),
  unbalancedTransactions: [],
  balanceMismatches: [],
  outboxEvents: new Map([["t1", 1]]),
  requested: new Map([
    ["t1", 1],
    ["t2", 2], // a client retry put it on the intake topic twice
  ]),
  processed: new Map([
    ["t1", 1],
    ["t2", 2],
  ]),
  abortedOnly: new Set(),
  postedEvents: new Map([["t1", ["e1", "e1"]]]), // a relay duplicate: counted, not an anomaly
  lag: [{ group: "processor", topic: "requested", partition: 0, lag: 0 }],
  sent: new Map(),
  postedRefunds: new Map(),
  kindViolations: { wrongLegs: [], refundsOverOriginal: [], sharedAccounts: [] },
});

const kinds = (o: Observations) => anomalySummary(check(o)).map((a) => a.kind);

describe("check", () => {
  it("passes a clean history, and counts what it saw", () => {
    const invariants = check(clean());
    expect(invariants.every((i) => i.ok)).toBe(true);
    expect(invariants.find((i) => i.name.startsWith("every posted"))?.counts).toMatchObject({
      duplicateEvents: 1,
    });
  });

  it("names each anomaly", () => {
    expect(kinds({ ...clean(), ledger: new Map([["t2", { status: "rejected" }]]) })).toContain("lost-write");
    expect(
      kinds({
        ...clean(),
        processed: new Map([
          ["t1", 2],
          ["t2", 2],
        ]),
      }),
    ).toEqual(["duplicate"]);
    expect(
      kinds({
        ...clean(),
        processed: new Map([
          ["t1", 1],
          ["t2", 1],
        ]),
      }),
    ).toEqual(["lost-write"]);
    expect(kinds({ ...clean(), abortedOnly: new Set(["t1"]) })).toEqual(["aborted-read"]);
    expect(kinds({ ...clean(), outboxEvents: new Map([["t1", 2]]) })).toEqual(["duplicate"]);
    expect(kinds({ ...clean(), postedEvents: new Map() })).toEqual(["unseen"]);
    expect(kinds({ ...clean(), accepted: new Map([["k1", ["t1", "t9"]]]) })).toContain("key-divergence");
    expect(kinds({ ...clean(), balanceMismatches: ["customer:ACC-1 USD"] })).toEqual(["unbalanced"]);
    expect(
      kinds({ ...clean(), lag: [{ group: "ledger-sink", topic: "validated", partition: 2, lag: 3 }] }),
    ).toEqual(["inconsistent-offsets"]);
  });
});

// A client's history with every kind: payment p1 (1000) refunded partly (r1 400), by a concurrent group
// (r2 200 posted, r3 700 refused: 600 + 700 > 1000), too much at once (r6), and by the other client (r5);
// a cash_in c1 refunded (r4, refused); a transfer.
const A = { clientId: "a", accountId: "ACC-1", currency: "USD" };
const refundOf = (intent: string, amountMinor: number, group: number | null = null, over = {}) => ({
  ...A,
  type: "refund",
  amountMinor,
  refund: { originalId: intent === "of-cash-in" ? "c1" : "p1", intent, group },
  ...over,
});
const KINDED: readonly (readonly [string, SentTransaction, LedgerRow])[] = [
  ["p1", { ...A, type: "payment", amountMinor: 1000 }, { status: "posted", refundedMinor: 600 }],
  ["c1", { ...A, type: "cash_in", amountMinor: 500 }, { status: "posted", refundedMinor: 0 }],
  ["x1", { ...A, type: "transfer", amountMinor: 70 }, { status: "posted", refundedMinor: 0 }],
  ["r1", refundOf("partial", 400), { status: "posted", originalId: "p1" }],
  ["r2", refundOf("concurrent", 200, 0), { status: "posted", originalId: "p1" }],
  [
    "r3",
    refundOf("concurrent", 700, 0),
    { status: "rejected", reasons: ["REFUND_EXCEEDS_ORIGINAL"], originalId: "p1" },
  ],
  ["r4", refundOf("of-cash-in", 100), { status: "rejected", reasons: ["ORIGINAL_NOT_REFUNDABLE"] }],
  [
    "r5",
    refundOf("other-client", 100, null, { clientId: "b" }),
    { status: "rejected", reasons: ["ORIGINAL_NOT_FOUND"] },
  ],
  ["r6", refundOf("too-large", 1500), { status: "rejected", reasons: ["REFUND_EXCEEDS_ORIGINAL"] }],
];

/** Sets ledger rows, keeping the rest of the history consistent (a posted row has its one event). */
const withRows = (o: Observations, rows: readonly (readonly [string, LedgerRow])[]): Observations => {
  const ledger = new Map(o.ledger);
  const outboxEvents = new Map(o.outboxEvents);
  const postedEvents = new Map(o.postedEvents);
  for (const [id, row] of rows) {
    ledger.set(id, row);
    outboxEvents.delete(id);
    postedEvents.delete(id);
    if (row.status === "posted") {
      outboxEvents.set(id, 1);
      postedEvents.set(id, [`e-${id}`]);
    }
  }
  return { ...o, ledger, outboxEvents, postedEvents };
};

const withKinds = (): Observations => {
  const o = clean();
  const accepted = new Map(o.accepted);
  const requested = new Map(o.requested);
  const processed = new Map(o.processed);
  for (const [id] of KINDED) {
    accepted.set(`key-${id}`, [id]);
    requested.set(id, 1);
    processed.set(id, 1);
  }
  return withRows(
    {
      ...o,
      accepted,
      requested,
      processed,
      sent: new Map(KINDED.map(([id, sent]) => [id, sent])),
      postedRefunds: new Map([
        [
          "p1",
          [
            { id: "r1", amountMinor: 400 },
            { id: "r2", amountMinor: 200 },
          ],
        ],
      ]),
    },
    KINDED.map(([id, , row]) => [id, row]),
  );
};

describe("check: transaction kinds and refunds", () => {
  it("passes a history of every kind whose refunds the ledger decided by its rules", () => {
    const invariants = check(withKinds());
    expect(anomalySummary(invariants)).toEqual([]);
    expect(invariants.find((i) => i.name.startsWith("posted refunds"))?.counts).toEqual({
      refunds: 6,
      posted: 2,
      refused: 4,
      refusedAsRequired: 3,
      refusedForRoom: 1,
      originals: 2,
      concurrentGroups: 1,
    });
  });

  it("counts per kind, per refusal reason and per refund intent", () => {
    const figures = kindFigures(withKinds());
    expect(figures.byKind.payment).toEqual({ accepted: 1, posted: 1 });
    expect(figures.byKind.refund).toEqual({ accepted: 6, posted: 2, rejected: 4 });
    expect(figures.refusals).toEqual({
      REFUND_EXCEEDS_ORIGINAL: 2,
      ORIGINAL_NOT_REFUNDABLE: 1,
      ORIGINAL_NOT_FOUND: 1,
    });
    expect(figures.refundIntents.concurrent).toEqual({ posted: 1, REFUND_EXCEEDS_ORIGINAL: 1 });
  });

  it("names the ledger's own kind violations", () => {
    const violations = (v: Partial<Observations["kindViolations"]>) =>
      kinds({
        ...withKinds(),
        kindViolations: { wrongLegs: [], refundsOverOriginal: [], sharedAccounts: [], ...v },
      });
    expect(violations({ wrongLegs: ["x1 (transfer)"] })).toEqual(["wrong-legs"]);
    expect(violations({ refundsOverOriginal: ["p1"] })).toEqual(["over-refund"]);
    expect(violations({ sharedAccounts: ["customer:a:ACC-1"] })).toEqual(["shared-account"]);
  });

  it("finds refunds over their original from the client's own record", () => {
    // Both refunds of the concurrent group posted: 400 + 200 + 700 > 1000, refunded_minor says 1300.
    const both = withRows(withKinds(), [
      ["r3", { status: "posted", originalId: "p1" }],
      ["p1", { status: "posted", refundedMinor: 1300 }],
    ]);
    expect(kinds(both)).toEqual(["over-refund"]);
    // A posted refund of p1 the client never got a 202 for still counts.
    const unanswered = withKinds();
    const hidden = {
      ...unanswered,
      postedRefunds: new Map([
        ["p1", [...(unanswered.postedRefunds.get("p1") ?? []), { id: "rx", amountMinor: 500 }]],
      ]),
    };
    expect(anomalySummary(check(hidden)).find((a) => a.kind === "over-refund")?.count).toBe(2);
    // refunded_minor disagreeing with the posted refunds.
    expect(kinds(withRows(withKinds(), [["p1", { status: "posted", refundedMinor: 500 }]]))).toEqual([
      "over-refund",
    ]);
  });

  it("finds refunds decided against the rules", () => {
    const outcome = (id: string, row: LedgerRow) => kinds(withRows(withKinds(), [[id, row]]));
    // A refund too large for its original alone, posted.
    expect(outcome("r6", { status: "posted", originalId: "p1" })).toContain("refund-outcome");
    // A refund of a cash_in refused for another reason than its own.
    expect(outcome("r4", { status: "rejected", reasons: ["REFUND_EXCEEDS_ORIGINAL"] })).toEqual([
      "refund-outcome",
    ]);
    // Refused as exceeding though its original had room: 1000 - 600 left, 300 asked.
    const roomy = withKinds();
    const sent = new Map(roomy.sent);
    sent.set("r3", refundOf("concurrent", 300, 0));
    expect(kinds({ ...roomy, sent })).toEqual(["refund-outcome"]);
    // Refused as not found though its original is posted, on the same account and partition.
    expect(outcome("r3", { status: "rejected", reasons: ["ORIGINAL_NOT_FOUND"] })).toEqual([
      "refund-outcome",
    ]);
    // Posted against another transaction than the one it named.
    expect(outcome("r1", { status: "posted", originalId: "x1" })).toEqual(["refund-outcome"]);
  });

  it("derives the refusal a refund needs in the sink's order of rules", () => {
    const p1 = KINDED[0]?.[1] as SentTransaction;
    const refund = refundOf("partial", 100) as SentTransaction;
    expect(requiredRefusal(refund, p1, "posted")).toEqual({
      must: false,
      reasons: ["REFUND_EXCEEDS_ORIGINAL"],
    });
    expect(requiredRefusal({ ...refund, clientId: "b" }, p1, "posted").reasons).toEqual([
      "ORIGINAL_NOT_FOUND",
    ]);
    expect(requiredRefusal(refund, undefined, undefined).reasons).toEqual(["ORIGINAL_NOT_FOUND"]);
    expect(requiredRefusal(refund, p1, "rejected").reasons).toContain("ORIGINAL_NOT_POSTED");
    expect(requiredRefusal(refund, { ...p1, type: "refund" }, "posted").reasons).toEqual([
      "ORIGINAL_NOT_REFUNDABLE",
    ]);
    expect(requiredRefusal({ ...refund, accountId: "ACC-2" }, p1, "posted").reasons).toContain(
      "REFUND_ACCOUNT_MISMATCH",
    );
    expect(requiredRefusal({ ...refund, currency: "EUR" }, p1, "posted").reasons).toEqual([
      "REFUND_CURRENCY_MISMATCH",
    ]);
    expect(requiredRefusal({ ...refund, amountMinor: 1001 }, p1, "posted")).toEqual({
      must: true,
      reasons: ["REFUND_EXCEEDS_ORIGINAL"],
    });
  });
});
