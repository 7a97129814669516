// The checker: from what the clients were told (every 202) and what Postgres and Kafka hold at the end,
// each invariant of the pipeline, pass or fail, with its counts and anomalies. Pure and unit-tested.
// Anomaly names follow the Jepsen Kafka checker where they fit; the kinds' own are named for what they break.
import type { KindViolations } from "@ledgerline/ledger-db";

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
  | "unbalanced"
  /** A posted transaction whose two postings are not the legs its kind books. */
  | "wrong-legs"
  /** An original whose posted refunds add up to more than its amount, or to other than its refunded_minor. */
  | "over-refund"
  /** A customer account posted to by a transaction of another client than the account's owner. */
  | "shared-account"
  /** A refund posted that the ledger's rules refuse, or refused for another reason than theirs. */
  | "refund-outcome"
  /** A limited account below minus its overdraft limit: at the end, or after any of its postings. */
  | "overdraft"
  /** An account's postings not numbered 1..n, or a balance_after that is not the running sum. */
  | "statement"
  /**
   * A debit of a limited account decided against the rules: refused for another reason than
   * INSUFFICIENT_FUNDS, refused though it fitted, or INSUFFICIENT_FUNDS for an account without a limit; or a
   * limit that changed during the run.
   */
  | "limit-outcome";

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
  /** A rejected row's reason codes. */
  readonly reasons?: readonly string[];
  /** A refund's original as the ledger recorded it: resolved when posted, as named when refused. */
  readonly originalId?: string | null;
  /** How much of it posted refunds gave back (transactions.refunded_minor). */
  readonly refundedMinor?: number;
}

/** What a client sent, from its own record (clients.ts SentRecord). */
export interface SentTransaction {
  readonly clientId: string;
  readonly type: string;
  readonly accountId: string;
  readonly currency: string;
  readonly amountMinor: number;
  readonly counterpartyAccountId?: string;
  /** A refund: its original's ledger id (the original's 202), what it tried, its concurrent group. */
  readonly refund?: {
    readonly originalId: string;
    readonly intent: string;
    readonly group: number | null;
  };
  /** Traffic of a limited account: what it was sent to do (clients.ts LIMITED_INTENTS). */
  readonly limited?: string;
}

/** An overdraft limit the run set before the load, and the balance row as it is at the end. */
export interface LimitObservation {
  readonly clientId: string;
  readonly accountId: string;
  readonly ledgerAccount: string;
  readonly currency: string;
  /** What the run set (PUT), and when the gateway said it did (epoch ms). */
  readonly setMinor: number;
  readonly setAtMs: number;
  /** account_balances at the end: the limit (null: none) and when it was last changed. */
  readonly endMinor: number | null;
  readonly endAtMs: number | null;
  readonly balanceMinor: number;
}

/** One posting of a limited account. */
export interface LimitedPosting {
  readonly transactionId: string;
  readonly seq: number;
  readonly amountMinor: number;
  readonly balanceAfterMinor: number;
  /** The sink's posting time (epoch ms): its batch's, after it locked the balance rows. */
  readonly createdAtMs: number;
}

/** A transactions.rejected event the ledger published (a refusal of a validated transaction). */
export interface LedgerRejection {
  readonly reasons: readonly string[];
  /** The deciding batch's time (epoch ms): the time its postings carry too. */
  readonly rejectedAtMs: number;
}

export interface Observations {
  /** Every 202, per idempotency key: the transaction ids answered (a resend must get the same one). */
  readonly accepted: ReadonlyMap<string, readonly string[]>;
  /** What the clients sent, by the transaction id its 202 gave. */
  readonly sent: ReadonlyMap<string, SentTransaction>;
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
  /** Posted refunds in the ledger, per original the clients sent refunds of (amounts in minor units). */
  readonly postedRefunds: ReadonlyMap<
    string,
    readonly { readonly id: string; readonly amountMinor: number }[]
  >;
  /** The ledger's own checks of the kinds (ledger-db kindViolations), over every row. */
  readonly kindViolations: KindViolations;
  /** The ledger's statements and limits checks (ledger-db checkStatements, checkLimits): "id: detail". */
  readonly statementFindings: readonly string[];
  readonly limitFindings: readonly string[];
  /** The overdraft limits the run set. */
  readonly limits: readonly LimitObservation[];
  /** Every posting of a limited account, per "ledger_account currency", in account_seq order. */
  readonly limitedPostings: ReadonlyMap<string, readonly LimitedPosting[]>;
  /**
   * The ledger's refusals on transactions.rejected (read_committed), per transaction id: the distinct
   * events (a relay that died between Kafka's commit and Postgres's publishes the same row again, identical)
   * and how many records carried them. The processor's own rejections are in `processed`.
   */
  readonly ledgerRejections: ReadonlyMap<
    string,
    { readonly records: number; readonly events: readonly LedgerRejection[] }
  >;
  /** Every transaction the ledger refused INSUFFICIENT_FUNDS (accepted or not), with the account it debits. */
  readonly insufficientFunds: readonly {
    readonly id: string;
    readonly debitAccount: string | null;
    readonly currency: string;
  }[];
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

/** The kinds a refund may give back (packages/domain REFUNDABLE_TYPES). */
const REFUNDABLE = new Set(["payment", "transfer", "cash_out", "debit"]);

/**
 * What the ledger must answer a refund, from what the client sent and its original's final status, by the
 * rules in docs/transaction-kinds.md taken in the sink's order: `must` when it has to be refused, with the
 * reasons allowed; otherwise it posts, or is refused REFUND_EXCEEDS_ORIGINAL only when other posted refunds
 * left too little of its original (checked against them by the caller).
 */
export const requiredRefusal = (
  refund: SentTransaction,
  original: SentTransaction | undefined,
  originalStatus: string | undefined,
): { readonly must: boolean; readonly reasons: readonly string[] } => {
  const must = (...reasons: string[]) => ({ must: true, reasons });
  if (!original || original.clientId !== refund.clientId) return must("ORIGINAL_NOT_FOUND");
  // Not posted: a rejected or dead-lettered original comes on another topic than the refund, so the
  // ledger may decide the refund before it holds the original at all.
  if (originalStatus !== "posted") return must("ORIGINAL_NOT_POSTED", "ORIGINAL_NOT_FOUND");
  if (!REFUNDABLE.has(original.type)) return must("ORIGINAL_NOT_REFUNDABLE");
  // Another account is another partition: the refund may be decided before its original is in the ledger.
  if (original.accountId !== refund.accountId) return must("REFUND_ACCOUNT_MISMATCH", "ORIGINAL_NOT_FOUND");
  if (original.currency !== refund.currency) return must("REFUND_CURRENCY_MISMATCH");
  if (refund.amountMinor > original.amountMinor) return must("REFUND_EXCEEDS_ORIGINAL");
  return { must: false, reasons: ["REFUND_EXCEEDS_ORIGINAL"] };
};

/** The refunds the clients sent, against the ledger: per original and per refund (from the outside). */
const refundsInvariant = (o: Observations): Invariant => {
  const anomalies: Anomaly[] = [];
  const refunds = [...o.sent].filter(
    (entry): entry is [string, SentTransaction & { refund: NonNullable<SentTransaction["refund"]> }] =>
      entry[1].refund !== undefined,
  );
  // Per original: what its posted refunds gave back (the client's amounts; the ledger's for a posted
  // refund the client has no answer for, one whose 202 was lost).
  const postedOf = new Map<string, Map<string, number>>();
  const addPosted = (originalId: string, id: string, amount: number) =>
    postedOf.set(originalId, (postedOf.get(originalId) ?? new Map()).set(id, amount));
  for (const [id, sent] of refunds) {
    if (o.ledger.get(id)?.status === "posted") addPosted(sent.refund.originalId, id, sent.amountMinor);
  }
  const originals = new Set(refunds.map(([, sent]) => sent.refund.originalId));
  for (const originalId of originals)
    for (const posted of o.postedRefunds.get(originalId) ?? [])
      addPosted(originalId, posted.id, o.sent.get(posted.id)?.amountMinor ?? posted.amountMinor);
  const refundedOf = (originalId: string) =>
    [...(postedOf.get(originalId)?.values() ?? [])].reduce((a, b) => a + b, 0);

  for (const originalId of originals) {
    const original = o.sent.get(originalId);
    const refunded = refundedOf(originalId);
    if (original && refunded > original.amountMinor)
      anomalies.push({
        kind: "over-refund",
        id: originalId,
        detail: `posted refunds give back ${refunded} of ${original.amountMinor} (minor units)`,
      });
    const recorded = o.ledger.get(originalId)?.refundedMinor;
    if (recorded !== undefined && recorded !== refunded)
      anomalies.push({
        kind: "over-refund",
        id: originalId,
        detail: `refunded_minor is ${recorded}, its posted refunds sum to ${refunded}`,
      });
  }

  let posted = 0;
  let refused = 0;
  let refusedAsRequired = 0;
  let refusedForRoom = 0;
  for (const [id, sent] of refunds) {
    const row = o.ledger.get(id);
    if (!row || (row.status !== "posted" && row.status !== "rejected")) continue;
    const original = o.sent.get(sent.refund.originalId);
    const rule = requiredRefusal(sent, original, o.ledger.get(sent.refund.originalId)?.status);
    const wrong = (detail: string) =>
      anomalies.push({ kind: "refund-outcome", id, detail: `${sent.refund.intent} refund: ${detail}` });
    if (row.status === "posted") {
      posted += 1;
      if (rule.must) wrong(`posted, but the ledger's rules refuse it (${rule.reasons.join(" or ")})`);
      else if (row.originalId !== undefined && row.originalId !== sent.refund.originalId)
        wrong(`posted against ${row.originalId}, not its original ${sent.refund.originalId}`);
      continue;
    }
    refused += 1;
    const reasons = row.reasons ?? [];
    if (!reasons.some((reason) => rule.reasons.includes(reason))) {
      wrong(`refused ${reasons.join(", ") || "without a reason"}, not ${rule.reasons.join(" or ")}`);
    } else if (rule.must) {
      refusedAsRequired += 1;
    } else {
      // REFUND_EXCEEDS_ORIGINAL for a refund within its original: other posted refunds must have left
      // too little of it (refunds only ever add up, so what they left then is at least what is left now).
      const left = (original?.amountMinor ?? 0) - refundedOf(sent.refund.originalId);
      if (sent.amountMinor <= left)
        wrong(`refused REFUND_EXCEEDS_ORIGINAL, yet ${left} of its original is left for ${sent.amountMinor}`);
      else refusedForRoom += 1;
    }
  }
  const groups = new Set(
    refunds.flatMap(([, sent]) => (sent.refund.group === null ? [] : [sent.refund.group])),
  );
  return invariant(
    "posted refunds stay within their original; each refused one for its rule (client's record)",
    {
      refunds: refunds.length,
      posted,
      refused,
      refusedAsRequired,
      refusedForRoom,
      originals: originals.size,
      concurrentGroups: groups.size,
    },
    anomalies,
  );
};

/** The reasons the ledger itself refuses a validated transaction with (the processor never uses them). */
export const LEDGER_REFUSALS: ReadonlySet<string> = new Set([
  "ORIGINAL_NOT_FOUND",
  "ORIGINAL_NOT_POSTED",
  "ORIGINAL_NOT_REFUNDABLE",
  "REFUND_ACCOUNT_MISMATCH",
  "REFUND_CURRENCY_MISMATCH",
  "REFUND_EXCEEDS_ORIGINAL",
  "COUNTERPARTY_INVALID",
  "INSUFFICIENT_FUNDS",
]);

/** The kinds that debit their own customer account (a limited one may refuse them). */
const DEBITS = new Set(["payment", "transfer", "cash_out", "debit"]);
const balanceKey = (ledgerAccount: string, currency: string) => `${ledgerAccount} ${currency}`;

/**
 * The balance a debit was decided against is one its account had during the deciding batch: the batch's
 * postings carry its time (`atMs`), and the balance then was the one after the account's last posting
 * before that time, or after one of the postings at that time (the batch's own, or an earlier batch's of
 * the same millisecond). 0 before the first posting.
 */
export const balancesAt = (postings: readonly LimitedPosting[], atMs: number): number[] => {
  let before = 0;
  const at: number[] = [];
  for (const p of postings) {
    if (p.createdAtMs < atMs) before = p.balanceAfterMinor;
    else if (p.createdAtMs === atMs) at.push(p.balanceAfterMinor);
  }
  return [before, ...at];
};

/**
 * The limited accounts, from the ledger's statements: no posting ever leaves one below minus its limit, the
 * limits the run set stay as set, every debit of one is posted or refused INSUFFICIENT_FUNDS (and then has no
 * posting), a refusal only when the debit did not fit the balance of its batch, and no account without a
 * limit is ever refused for funds.
 */
const limitsInvariant = (o: Observations): Invariant => {
  const anomalies: Anomaly[] = [];
  const limitOf = new Map(o.limits.map((l) => [balanceKey(l.ledgerAccount, l.currency), l]));
  const limitedOf = (sent: SentTransaction) =>
    DEBITS.has(sent.type)
      ? limitOf.get(balanceKey(`customer:${sent.clientId}:${sent.accountId}`, sent.currency))
      : undefined;
  let postings = 0;
  let lowestHeadroom = Number.POSITIVE_INFINITY;
  for (const limit of o.limits) {
    const key = balanceKey(limit.ledgerAccount, limit.currency);
    if (limit.endMinor !== limit.setMinor || limit.endAtMs !== limit.setAtMs)
      anomalies.push({
        kind: "limit-outcome",
        id: key,
        detail: `limit set to ${limit.setMinor} before the load, ${limit.endMinor ?? "none"} at the end (changed ${limit.endAtMs === null ? "-" : new Date(limit.endAtMs).toISOString()})`,
      });
    if (limit.balanceMinor < -limit.setMinor)
      anomalies.push({
        kind: "overdraft",
        id: key,
        detail: `balance ${limit.balanceMinor} at the end, limit ${limit.setMinor}`,
      });
    for (const p of o.limitedPostings.get(key) ?? []) {
      postings += 1;
      lowestHeadroom = Math.min(lowestHeadroom, p.balanceAfterMinor + limit.setMinor);
      if (p.balanceAfterMinor < -limit.setMinor)
        anomalies.push({
          kind: "overdraft",
          id: p.transactionId,
          detail: `${key} #${p.seq}: balance after ${p.balanceAfterMinor}, below its limit ${limit.setMinor}`,
        });
    }
  }
  for (const finding of o.limitFindings)
    anomalies.push({ kind: "overdraft", detail: `ledger limits check: ${finding}` });

  let debits = 0;
  let posted = 0;
  let refused = 0;
  let refusedChecked = 0;
  const postedIds = new Set(
    [...o.limitedPostings.values()].flatMap((list) => list.map((p) => p.transactionId)),
  );
  for (const [id, sent] of o.sent) {
    const limit = limitedOf(sent);
    if (!limit) continue;
    const row = o.ledger.get(id);
    if (!row || (row.status !== "posted" && row.status !== "rejected")) continue;
    debits += 1;
    const wrong = (detail: string) =>
      anomalies.push({
        kind: "limit-outcome",
        id,
        detail: `${sent.type} of ${sent.amountMinor} from ${limit.ledgerAccount} (${sent.currency}, limit ${limit.setMinor}): ${detail}`,
      });
    if (row.status === "posted") {
      posted += 1;
      continue;
    }
    refused += 1;
    const reasons = row.reasons ?? [];
    if (reasons.length !== 1 || reasons[0] !== "INSUFFICIENT_FUNDS") {
      wrong(`refused ${reasons.join(", ") || "without a reason"}, not INSUFFICIENT_FUNDS`);
      continue;
    }
    if (postedIds.has(id)) wrong("refused, yet it has a posting");
    const event = o.ledgerRejections.get(id)?.events[0];
    if (!event) continue; // no event to date the decision: the events invariant names it
    refusedChecked += 1;
    const key = balanceKey(limit.ledgerAccount, limit.currency);
    const candidates = balancesAt(o.limitedPostings.get(key) ?? [], event.rejectedAtMs);
    if (candidates.every((balance) => balance - sent.amountMinor >= -limit.setMinor))
      wrong(
        `refused INSUFFICIENT_FUNDS at ${new Date(event.rejectedAtMs).toISOString()}, yet it fitted every balance the account had then (${candidates.join(", ")})`,
      );
  }
  for (const refusal of o.insufficientFunds) {
    if (refusal.debitAccount === null || !limitOf.has(balanceKey(refusal.debitAccount, refusal.currency)))
      anomalies.push({
        kind: "limit-outcome",
        id: refusal.id,
        detail: `refused INSUFFICIENT_FUNDS, but it debits ${refusal.debitAccount ?? "no customer account"} (${refusal.currency}), which has no limit`,
      });
  }
  return invariant(
    "no limited account ever below its limit; its debits posted or refused INSUFFICIENT_FUNDS for want of funds only",
    {
      limitedAccounts: o.limits.length,
      postings,
      debits,
      posted,
      refused,
      refusedChecked,
      lowestHeadroom: Number.isFinite(lowestHeadroom) ? lowestHeadroom : 0,
    },
    anomalies,
  );
};

/**
 * Each refusal by the ledger is on transactions.rejected once (distinct events: the same event published
 * twice by a relay crash is counted, not an anomaly), a posted transaction never is, and a refused one is
 * never on transactions.posted.
 */
const refusalEventsInvariant = (o: Observations): Invariant => {
  const anomalies: Anomaly[] = [];
  let refusals = 0;
  let records = 0;
  let events = 0;
  for (const [id, row] of o.ledger) {
    const published = o.ledgerRejections.get(id);
    records += published?.records ?? 0;
    events += published?.events.length ?? 0;
    const byLedger = row.status === "rejected" && (row.reasons ?? []).some((r) => LEDGER_REFUSALS.has(r));
    if (!byLedger) {
      if (published)
        anomalies.push({
          kind: "duplicate",
          id,
          detail: `${row.status} in the ledger, yet refused on transactions.rejected (${published.events.map((e) => e.reasons.join("+")).join(", ")})`,
        });
      continue;
    }
    refusals += 1;
    const n = published?.events.length ?? 0;
    if (n === 0)
      anomalies.push({
        kind: "unseen",
        id,
        detail: `refused ${(row.reasons ?? []).join(", ")} in the ledger, not on transactions.rejected`,
      });
    if (n > 1) anomalies.push({ kind: "duplicate", id, detail: `${n} distinct refusal events` });
    if ((o.postedEvents.get(id)?.length ?? 0) > 0)
      anomalies.push({ kind: "duplicate", id, detail: "refused, yet on transactions.posted" });
  }
  return invariant(
    "every refusal by the ledger appears on transactions.rejected once, and only those",
    { refusals, events, duplicateRecords: records - events },
    anomalies,
  );
};

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
    "the processor emitted exactly one output per input record, per id (read_committed; the ledger's refusals on transactions.rejected apart)",
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
