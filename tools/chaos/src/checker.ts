// The checker: from what the clients were told (every 202) and what Postgres and Kafka hold at the end,
// each invariant of the pipeline, pass or fail, with its counts and anomalies. Pure and unit-tested.
// Anomaly names follow the Jepsen Kafka checker where they fit; the kinds' own are named for what they break.
// Its vocabulary is in observations.ts; the refunds', limits' and refusals' invariants in their own files.
import { limitsInvariant } from "./limitChecks.ts";
import {
  type Anomaly,
  type AnomalyKind,
  type Invariant,
  invariant,
  type Observations,
} from "./observations.ts";
import { refundsInvariant } from "./refundChecks.ts";
import { refusalEventsInvariant } from "./refusalChecks.ts";

const FIRST = 20;

export const check = (o: Observations): Invariant[] => {
  const acceptedIds = new Set([...o.accepted.values()].flat());

  const lost = [...acceptedIds].filter((id) => !o.ledger.has(id));
  const inLedger = invariant(
    "every accepted transaction is in the ledger once, in a final state",
    { accepted: acceptedIds.size, inLedger: acceptedIds.size - lost.length },
    lost.map((id) => ({ kind: "lost-write", id, detail: "accepted (202) but not in the ledger" })),
  );

  const divergent = [...o.accepted].filter(([, ids]) => new Set(ids).size > 1);
  const keys = invariant(
    "one idempotency key never yields two transaction ids",
    { keys: o.accepted.size, resent: [...o.accepted.values()].filter((ids) => ids.length > 1).length },
    divergent.map(([key, ids]) => ({
      kind: "key-divergence",
      detail: `key ${key} answered ${[...new Set(ids)].join(", ")}`,
    })),
  );

  const balanced = invariant(
    "postings sum to zero per transaction and currency; balances equal their postings",
    {
      unbalancedTransactions: o.unbalancedTransactions.length,
      balanceMismatches: o.balanceMismatches.length,
    },
    [
      ...o.unbalancedTransactions.map(
        (id): Anomaly => ({ kind: "unbalanced", id, detail: "postings do not sum to zero" }),
      ),
      ...o.balanceMismatches.map(
        (account): Anomaly => ({
          kind: "unbalanced",
          detail: `balance of ${account} differs from its postings`,
        }),
      ),
    ],
  );

  const posted = [...o.ledger].filter(([, row]) => row.status === "posted").map(([id]) => id);
  const outboxAnomalies: Anomaly[] = [];
  for (const id of posted) {
    const n = o.outboxEvents.get(id) ?? 0;
    if (n === 0) outboxAnomalies.push({ kind: "lost-write", id, detail: "posted without an outbox event" });
    if (n > 1) outboxAnomalies.push({ kind: "duplicate", id, detail: `${n} outbox events` });
  }
  const outbox = invariant(
    "one outbox event per posted transaction",
    { posted: posted.length },
    outboxAnomalies,
  );

  const processorAnomalies: Anomaly[] = [];
  for (const [id, inputs] of o.requested) {
    const outputs = o.processed.get(id) ?? 0;
    if (outputs > inputs)
      processorAnomalies.push({
        kind: "duplicate",
        id,
        detail: `${inputs} input record(s), ${outputs} outputs (transactions ${(o.outputTransactions.get(id) ?? []).join(", ")})`,
      });
    if (outputs < inputs)
      processorAnomalies.push({
        kind: "lost-write",
        id,
        detail: `${inputs} input record(s), ${outputs} outputs`,
      });
  }
  const inputs = [...o.requested.values()].reduce((a, b) => a + b, 0);
  const processor = invariant(
    "the processor emitted exactly one output per input record, per id (read_committed; the ledger's refusals on transactions.rejected apart)",
    {
      inputRecords: inputs,
      inputIds: o.requested.size,
      resentInputs: inputs - o.requested.size,
      outputs: [...o.processed.values()].reduce((a, b) => a + b, 0),
    },
    processorAnomalies,
  );

  const abortedReads = [...o.abortedOnly].filter((id) => o.ledger.has(id));
  const views = [...o.transactions.values()];
  const aborted = invariant(
    "nothing from an aborted transaction is read downstream (the ledger posts only committed outputs)",
    {
      abortedTransactions: views.filter((t) => t.committed === 0).length,
      idsOnlyInAborted: o.abortedOnly.size,
    },
    abortedReads.map((id) => ({
      kind: "aborted-read",
      id,
      detail: "in the ledger, but its only processor output was in an aborted transaction",
    })),
  );
  const torn = [...o.transactions].filter(([, t]) => t.committed > 0 && t.committed !== t.size);
  const whole = invariant(
    "no processor transaction torn: all of its outputs visible read_committed, or none",
    {
      transactions: views.length,
      committed: views.filter((t) => t.committed > 0 && t.committed === t.size).length,
      torn: torn.length,
    },
    torn.map(([txn, t]) => ({
      kind: "torn-transaction",
      detail: `transaction ${txn}: ${t.committed} of its ${t.size} outputs committed (${t.uncommitted} written)`,
    })),
  );

  const unseen = posted.filter((id) => (o.postedEvents.get(id)?.length ?? 0) === 0);
  const events = [...o.postedEvents.values()].flat();
  const distinctEvents = new Set(events);
  const topic = invariant(
    "every posted transaction appears on transactions.posted",
    { posted: posted.length, events: events.length, duplicateEvents: events.length - distinctEvents.size },
    unseen.map((id) => ({ kind: "unseen", id, detail: "posted in the ledger, not on transactions.posted" })),
  );

  const lagging = o.lag.filter((l) => l.lag > 0);
  const stuck = invariant(
    "nothing left stuck: no lag at the end",
    { partitions: o.lag.length, lagging: lagging.length, records: lagging.reduce((a, l) => a + l.lag, 0) },
    lagging.map((l) => ({
      kind: "inconsistent-offsets",
      detail: `${l.group} ${l.topic}[${l.partition}]: ${l.lag} left`,
    })),
  );

  const v = o.kindViolations;
  const kinds = invariant(
    "each kind books its legs, refunds within their original, accounts posted by their client only",
    {
      wrongLegs: v.wrongLegs.length,
      refundsOverOriginal: v.refundsOverOriginal.length,
      sharedAccounts: v.sharedAccounts.length,
    },
    [
      ...v.wrongLegs.map(
        (id): Anomaly => ({ kind: "wrong-legs", detail: `${id}: its postings are not its kind's legs` }),
      ),
      ...v.refundsOverOriginal.map(
        (id): Anomaly => ({
          kind: "over-refund",
          id,
          detail: "its posted refunds exceed it, or differ from its refunded_minor (ledger)",
        }),
      ),
      ...v.sharedAccounts.map(
        (account): Anomaly => ({
          kind: "shared-account",
          detail: `${account} is posted to by another client than its owner`,
        }),
      ),
    ],
  );

  const statements = invariant(
    "each account's postings numbered 1..n, each balance_after the running sum (ledger statements check)",
    { findings: o.statementFindings.length },
    o.statementFindings.map((finding): Anomaly => ({ kind: "statement", detail: finding })),
  );

  return [
    inLedger,
    keys,
    balanced,
    statements,
    outbox,
    processor,
    aborted,
    whole,
    topic,
    refusalEventsInvariant(o),
    stuck,
    kinds,
    refundsInvariant(o),
    limitsInvariant(o),
  ];
};

/**
 * Per kind sent: accepted, and the ledger's outcomes; refusal reasons; refunds per intent and outcome; the
 * limited accounts' traffic per intent and outcome.
 */
export const kindFigures = (o: Pick<Observations, "sent" | "ledger">) => {
  const byKind: Record<string, Record<string, number>> = {};
  const refusals: Record<string, number> = {};
  const refundIntents: Record<string, Record<string, number>> = {};
  const limitedIntents: Record<string, Record<string, number>> = {};
  const add = (into: Record<string, number>, key: string) => {
    into[key] = (into[key] ?? 0) + 1;
  };
  const group = (of: Record<string, Record<string, number>>, key: string) => {
    const counts = of[key] ?? {};
    of[key] = counts;
    return counts;
  };
  for (const [id, sent] of o.sent) {
    const kind = group(byKind, sent.type);
    add(kind, "accepted");
    const row = o.ledger.get(id);
    add(kind, row?.status ?? "missing");
    for (const reason of row?.status === "rejected" ? (row.reasons ?? []) : []) add(refusals, reason);
    if (sent.refund) {
      const outcome =
        row?.status === "rejected" ? (row.reasons ?? []).join("+") || "rejected" : (row?.status ?? "missing");
      add(group(refundIntents, sent.refund.intent), outcome);
    }
    if (sent.limited) {
      const outcome =
        row?.status === "rejected" ? (row.reasons ?? []).join("+") || "rejected" : (row?.status ?? "missing");
      add(group(limitedIntents, sent.limited), outcome);
    }
  }
  return { byKind, refusals, refundIntents, limitedIntents };
};

/** Anomalies by kind, with the first few examples of each. */
export const anomalySummary = (invariants: readonly Invariant[]) => {
  const byKind = new Map<AnomalyKind, Anomaly[]>();
  for (const anomaly of invariants.flatMap((i) => i.anomalies)) {
    byKind.set(anomaly.kind, [...(byKind.get(anomaly.kind) ?? []), anomaly]);
  }
  return [...byKind].map(([kind, list]) => ({ kind, count: list.length, examples: list.slice(0, FIRST) }));
};
