// The checker: from what the clients were told (every 202) and what Postgres and Kafka hold at the end,
// each invariant of the pipeline, pass or fail, with its counts and anomalies. Pure and unit-tested.
// Anomaly names follow the Jepsen Kafka checker where they fit.

export type AnomalyKind =
  /** An accepted transaction that is not in the ledger, or a processor input with no output. */
  | "lost-write"
  /** Something that must exist once exists more than once (a processor output, an outbox event). */
  | "duplicate"
  /** G1a: the ledger holds a transaction whose only processor output was in an aborted transaction. */
  | "aborted-read"
  /** At the end, a consumer group or the ledger's stored positions are not at the end of their input. */
  | "inconsistent-offsets"
  /** A posted transaction never appeared on transactions.posted. */
  | "unseen"
  /** One idempotency key answered with two transaction ids. */
  | "key-divergence"
  /** A posted transaction's postings do not sum to zero, or a balance differs from its postings. */
  | "unbalanced";

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly id?: string;
  readonly detail: string;
}

export interface Invariant {
  readonly name: string;
  readonly ok: boolean;
  readonly counts: Readonly<Record<string, number>>;
  readonly anomalies: readonly Anomaly[];
}

export interface LedgerRow {
  readonly status: string;
}

export interface Observations {
  /** Every 202, per idempotency key: the transaction ids answered (a resend must get the same one). */
  readonly accepted: ReadonlyMap<string, readonly string[]>;
  /** Ledger rows of the accepted ids (absent: not in the ledger). */
  readonly ledger: ReadonlyMap<string, LedgerRow>;
  /** Posted transactions without exactly two postings summing to zero per currency, and ids of postings whose transaction is not posted. */
  readonly unbalancedTransactions: readonly string[];
  /** Balances that differ from the sum of their postings ("account currency"). */
  readonly balanceMismatches: readonly string[];
  /** Distinct transactions.posted event ids per posted transaction id: in the outbox, or published. */
  readonly outboxEvents: ReadonlyMap<string, number>;
  /** Records per transaction id on transactions.requested (read_committed). */
  readonly requested: ReadonlyMap<string, number>;
  /** The processor's outputs per transaction id: validated + rejected + its own dead letters (read_committed). */
  readonly processed: ReadonlyMap<string, number>;
  /** Ids whose validated/rejected records exist only in aborted transactions (seen read_uncommitted only). */
  readonly abortedOnly: ReadonlySet<string>;
  /** transactions.posted (read_committed): event ids per transaction id. */
  readonly postedEvents: ReadonlyMap<string, readonly string[]>;
  /** Records left to consume at the end, per group and partition. */
  readonly lag: readonly {
    readonly group: string;
    readonly topic: string;
    readonly partition: number;
    readonly lag: number;
  }[];
}

const FIRST = 20;
const invariant = (name: string, counts: Record<string, number>, anomalies: Anomaly[]): Invariant => ({
  name,
  ok: anomalies.length === 0,
  counts,
  anomalies,
});

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
        detail: `${inputs} input record(s), ${outputs} outputs`,
      });
    if (outputs < inputs)
      processorAnomalies.push({
        kind: "lost-write",
        id,
        detail: `${inputs} input record(s), ${outputs} outputs`,
      });
  }
  for (const id of o.abortedOnly) {
    if (o.ledger.has(id))
      processorAnomalies.push({
        kind: "aborted-read",
        id,
        detail: "in the ledger, but its only output was aborted",
      });
  }
  const inputs = [...o.requested.values()].reduce((a, b) => a + b, 0);
  const processor = invariant(
    "the processor emitted exactly one output per input record, per id (read_committed)",
    {
      inputRecords: inputs,
      inputIds: o.requested.size,
      resentInputs: inputs - o.requested.size,
      outputs: [...o.processed.values()].reduce((a, b) => a + b, 0),
    },
    processorAnomalies,
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

  return [inLedger, keys, balanced, outbox, processor, topic, stuck];
};

/** Anomalies by kind, with the first few examples of each. */
export const anomalySummary = (invariants: readonly Invariant[]) => {
  const byKind = new Map<AnomalyKind, Anomaly[]>();
  for (const anomaly of invariants.flatMap((i) => i.anomalies)) {
    byKind.set(anomaly.kind, [...(byKind.get(anomaly.kind) ?? []), anomaly]);
  }
  return [...byKind].map(([kind, list]) => ({ kind, count: list.length, examples: list.slice(0, FIRST) }));
};
