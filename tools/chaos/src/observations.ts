// What the checker reads (Observations: what the clients were told, what Postgres and Kafka hold at the
// end) and what it answers: invariants, each with its counts and anomalies.
import type { KindViolations } from "@ledgerline/ledger-db";

export type AnomalyKind =
  /** An accepted transaction that is not in the ledger, or a processor input with no output. */
  | "lost-write"
  /** Something that must exist once exists more than once (a processor output, an outbox event). */
  | "duplicate"
  /** G1a: the ledger holds a transaction whose only processor output was in an aborted transaction. */
  | "aborted-read"
  /** A processor transaction of which some outputs are visible read_committed, but not all. */
  | "torn-transaction"
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
  /** The tags of the transactions that hold each id's committed processor outputs. */
  readonly outputTransactions: ReadonlyMap<string, readonly string[]>;
  /** Ids whose processor outputs exist only in aborted transactions (seen read_uncommitted only). */
  readonly abortedOnly: ReadonlySet<string>;
  /**
   * The processor's transactions, by the tag each output carries (`<uuid>/<size>`): its size, and how many of
   * its outputs were read read_committed and read_uncommitted.
   */
  readonly transactions: ReadonlyMap<
    string,
    { readonly size: number; readonly committed: number; readonly uncommitted: number }
  >;
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

export const invariant = (name: string, counts: Record<string, number>, anomalies: Anomaly[]): Invariant => ({
  name,
  ok: anomalies.length === 0,
  counts,
  anomalies,
});
