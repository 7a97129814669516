import { describe, expect, it } from "vitest";
import { anomalySummary, check, kindFigures } from "../src/checker.ts";
import { balancesAt } from "../src/limitChecks.ts";
import type { LedgerRow, Observations, SentTransaction } from "../src/observations.ts";
import { requiredRefusal } from "../src/refundChecks.ts";
import { LEDGER_REFUSALS } from "../src/refusalChecks.ts";

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
  outputTransactions: new Map(),
  abortedOnly: new Set(),
  transactions: new Map([
    ["a/2", { size: 2, committed: 2, uncommitted: 2 }],
    ["b/1", { size: 1, committed: 0, uncommitted: 1 }], // aborted, redone in a/2: not an anomaly
  ]),
  postedEvents: new Map([["t1", ["e1", "e1"]]]), // a relay duplicate: counted, not an anomaly
  lag: [{ group: "processor", topic: "requested", partition: 0, lag: 0 }],
  sent: new Map(),
  postedRefunds: new Map(),
  kindViolations: { wrongLegs: [], refundsOverOriginal: [], sharedAccounts: [] },
  statementFindings: [],
  limitFindings: [],
  limits: [],
  limitedPostings: new Map(),
  ledgerRejections: new Map(),
  insufficientFunds: [],
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
    // A transaction committed in part: a late EndTxn of the one before committed its first outputs.
    expect(
      kinds({ ...clean(), transactions: new Map([["c/3", { size: 3, committed: 2, uncommitted: 3 }]]) }),
    ).toEqual(["torn-transaction"]);
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

/**
 * Sets ledger rows, keeping the rest of the history consistent (a posted row has its one event, a row the
 * ledger refused its one refusal event, at `rejectedAtMs`).
 */
const withRows = (
  o: Observations,
  rows: readonly (readonly [string, LedgerRow])[],
  rejectedAtMs = 0,
): Observations => {
  const ledger = new Map(o.ledger);
  const outboxEvents = new Map(o.outboxEvents);
  const postedEvents = new Map(o.postedEvents);
  const ledgerRejections = new Map(o.ledgerRejections);
  for (const [id, row] of rows) {
    ledger.set(id, row);
    outboxEvents.delete(id);
    postedEvents.delete(id);
    ledgerRejections.delete(id);
    if (row.status === "posted") {
      outboxEvents.set(id, 1);
      postedEvents.set(id, [`e-${id}`]);
    }
    const reasons = row.reasons ?? [];
    if (row.status === "rejected" && reasons.some((r) => LEDGER_REFUSALS.has(r)))
      ledgerRejections.set(id, { records: 1, events: [{ reasons, rejectedAtMs }] });
  }
  return { ...o, ledger, outboxEvents, postedEvents, ledgerRejections };
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

// Limited accounts: client a's ACC-L (USD, limit 100) funded by c9 (1000 at t=100), then debits d1 (800,
// posted at t=200: 200 left), d2 (400, refused in d1's batch: 1000 - 400 fitted before d1, 200 - 400 below
// -100 after it), d3 (250, posted at t=300: -50) and d4 (100, refused at t=400: -150 < -100); a transfer
// into it t1 (from an account without a limit, posted at t=500: +100).
const L = { clientId: "a", accountId: "ACC-L", currency: "USD" };
const LEDGER_L = "customer:a:ACC-L";
const LIMITED: readonly (readonly [string, SentTransaction, LedgerRow, number | null])[] = [
  ["c9", { ...L, type: "cash_in", amountMinor: 1000, limited: "funding" }, { status: "posted" }, null],
  ["d1", { ...L, type: "payment", amountMinor: 800, limited: "burst" }, { status: "posted" }, null],
  [
    "d2",
    { ...L, type: "cash_out", amountMinor: 400, limited: "burst" },
    { status: "rejected", reasons: ["INSUFFICIENT_FUNDS"] },
    200,
  ],
  [
    "d3",
    { ...L, type: "transfer", amountMinor: 250, counterpartyAccountId: "ACC-1", limited: "debit" },
    { status: "posted" },
    null,
  ],
  [
    "d4",
    { ...L, type: "debit", amountMinor: 100, limited: "debit" },
    { status: "rejected", reasons: ["INSUFFICIENT_FUNDS"] },
    400,
  ],
  [
    "t1",
    { ...L, accountId: "ACC-1", type: "transfer", amountMinor: 100, counterpartyAccountId: "ACC-L" },
    { status: "posted" },
    null,
  ],
];
const posting = (transactionId: string, seq: number, amountMinor: number, balance: number, at: number) => ({
  transactionId,
  seq,
  amountMinor,
  balanceAfterMinor: balance,
  createdAtMs: at,
});
const POSTINGS_L = [
  posting("c9", 1, 1000, 1000, 100),
  posting("d1", 2, -800, 200, 200),
  posting("d3", 3, -250, -50, 300),
  posting("t1", 4, 100, 50, 500),
];

const withLimited = (): Observations => {
  let o = clean();
  const accepted = new Map(o.accepted);
  const requested = new Map(o.requested);
  const processed = new Map(o.processed);
  for (const [id] of LIMITED) {
    accepted.set(`key-${id}`, [id]);
    requested.set(id, 1);
    processed.set(id, 1);
  }
  o = {
    ...o,
    accepted,
    requested,
    processed,
    sent: new Map(LIMITED.map(([id, sent]) => [id, sent])),
    limits: [
      {
        clientId: "a",
        accountId: "ACC-L",
        ledgerAccount: LEDGER_L,
        currency: "USD",
        setMinor: 100,
        setAtMs: 50,
        endMinor: 100,
        endAtMs: 50,
        balanceMinor: 50,
      },
    ],
    limitedPostings: new Map([[`${LEDGER_L} USD`, POSTINGS_L]]),
    insufficientFunds: [
      { id: "d2", debitAccount: LEDGER_L, currency: "USD" },
      { id: "d4", debitAccount: LEDGER_L, currency: "USD" },
    ],
  };
  for (const [id, , row, at] of LIMITED) o = withRows(o, [[id, row]], at ?? 0);
  return o;
};

describe("check: limited accounts", () => {
  it("passes debits posted while they fit and refused INSUFFICIENT_FUNDS once they did not", () => {
    const invariants = check(withLimited());
    expect(anomalySummary(invariants)).toEqual([]);
    expect(invariants.find((i) => i.name.startsWith("no limited account"))?.counts).toEqual({
      limitedAccounts: 1,
      postings: 4,
      debits: 4,
      posted: 2,
      refused: 2,
      refusedChecked: 2,
      lowestHeadroom: 50,
    });
    expect(invariants.find((i) => i.name.startsWith("every refusal by the ledger"))?.counts).toEqual({
      refusals: 2,
      events: 2,
      duplicateRecords: 0,
    });
    expect(kindFigures(withLimited()).limitedIntents).toEqual({
      funding: { posted: 1 },
      burst: { posted: 1, INSUFFICIENT_FUNDS: 1 },
      debit: { posted: 1, INSUFFICIENT_FUNDS: 1 },
    });
  });

  it("dates a refusal within its batch: the balance before it, or after any posting of its time", () => {
    expect(balancesAt(POSTINGS_L, 200)).toEqual([1000, 200]);
    expect(balancesAt(POSTINGS_L, 400)).toEqual([-50]);
    expect(balancesAt(POSTINGS_L, 50)).toEqual([0]);
  });

  it("names a limited account below its limit, a changed limit, and the ledger's own findings", () => {
    const o = withLimited();
    const below = [...POSTINGS_L];
    below[2] = posting("d3", 3, -250, -150, 300);
    expect(kinds({ ...o, limitedPostings: new Map([[`${LEDGER_L} USD`, below]]) })).toContain("overdraft");
    const [limit] = o.limits;
    expect(kinds({ ...o, limits: [{ ...limit!, balanceMinor: -101 }] })).toEqual(["overdraft"]);
    expect(kinds({ ...o, limits: [{ ...limit!, endMinor: 500, endAtMs: 9_000 }] })).toEqual([
      "limit-outcome",
    ]);
    expect(kinds({ ...o, limits: [{ ...limit!, endMinor: null }] })).toEqual(["limit-outcome"]);
    expect(
      kinds({ ...o, limitFindings: ["customer:a:ACC-L USD: balance -101, overdraft limit 100"] }),
    ).toEqual(["overdraft"]);
    expect(kinds({ ...o, statementFindings: ["customer:a:ACC-L USD #3: seq 3 after 1"] })).toEqual([
      "statement",
    ]);
  });

  it("names a debit refused though it fitted, or for another reason, or of an account without a limit", () => {
    // d4 (100) refused at t=250, between d1 and d3, when the balance was 200: it fitted.
    expect(
      kinds(withRows(withLimited(), [["d4", { status: "rejected", reasons: ["INSUFFICIENT_FUNDS"] }]], 250)),
    ).toEqual(["limit-outcome"]);
    expect(
      kinds(withRows(withLimited(), [["d4", { status: "rejected", reasons: ["ORIGINAL_NOT_FOUND"] }]], 400)),
    ).toEqual(["limit-outcome"]);
    const o = withLimited();
    expect(
      kinds({
        ...o,
        insufficientFunds: [
          ...o.insufficientFunds,
          { id: "t1", debitAccount: "customer:a:ACC-1", currency: "USD" },
        ],
      }),
    ).toEqual(["limit-outcome"]);
    // A refused debit with a posting of it all the same.
    expect(
      kinds({
        ...o,
        limitedPostings: new Map([[`${LEDGER_L} USD`, [...POSTINGS_L, posting("d4", 5, -100, -50, 600)]]]),
      }),
    ).toEqual(["limit-outcome"]);
  });

  it("counts each refusal's event once, and names a missing, doubled or contradicting one", () => {
    const o = withLimited();
    const rejections = (
      id: string,
      value?: { records: number; events: { reasons: string[]; rejectedAtMs: number }[] },
    ) => {
      const map = new Map(o.ledgerRejections);
      if (value) map.set(id, value);
      else map.delete(id);
      return { ...o, ledgerRejections: map };
    };
    const event = { reasons: ["INSUFFICIENT_FUNDS"], rejectedAtMs: 400 };
    // The same event published twice (a relay crash): counted, not an anomaly.
    const republished = check(rejections("d4", { records: 2, events: [event] }));
    expect(anomalySummary(republished)).toEqual([]);
    expect(republished.find((i) => i.name.startsWith("every refusal"))?.counts.duplicateRecords).toBe(1);
    expect(kinds(rejections("d4"))).toEqual(["unseen"]);
    expect(kinds(rejections("d4", { records: 2, events: [event, { ...event, rejectedAtMs: 401 }] }))).toEqual(
      ["duplicate"],
    );
    expect(kinds(rejections("d1", { records: 1, events: [event] }))).toEqual(["duplicate"]);
    expect(kinds({ ...o, postedEvents: new Map([...o.postedEvents, ["d4", ["e-d4"]]]) })).toEqual([
      "duplicate",
    ]);
  });
});
