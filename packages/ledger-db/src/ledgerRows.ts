// What the ledger sink writes, as plain rows: the contract between the sink's pure plan and the SQL in
// LedgerWrites. Bigints are decimal strings and times ISO text where rows travel through jsonb.

/** Where a record came from: kept with conflicts and dead letters, and for the stored offsets. */
export interface Coordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export type LedgerStatus = "posted" | "rejected" | "dead_lettered";

export interface TransactionInsert {
  readonly transaction_id: string;
  readonly account_id: string | null;
  readonly amount_minor: string | null;
  readonly currency: string | null;
  readonly base_currency: string | null;
  readonly base_amount_minor: string | null;
  readonly fx_rate: string | null;
  readonly fx_rate_as_of: string | null;
  readonly merchant_name: string | null;
  readonly merchant_category: string | null;
  readonly status: LedgerStatus;
  readonly rejection_reasons: readonly { code: string; field: string | null; message: string }[] | null;
  readonly dead_letter_reason: string | null;
  readonly risk_flags: readonly string[];
  readonly occurred_at: string | null;
  readonly accepted_at: string | null;
  readonly posted_at: string | null;
  readonly client_id: string | null;
  readonly payload_hash: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  /** The kind (payment for a dead_lettered row: the column's default, nothing is known). */
  readonly type: string;
  readonly counterparty_account_id: string | null;
  /** A refund's original: its ledger id once resolved, or the id as named when no original was found. */
  readonly original_transaction_id: string | null;
}

/** A posting as the plan books it: one leg of a transaction. */
export interface PostingInsert {
  readonly transaction_id: string;
  readonly ledger_account: string;
  readonly currency: string;
  readonly amount_minor: bigint;
}

/** A posting as written: numbered in its account and currency, with the balance right after it. */
export interface NumberedPosting extends PostingInsert {
  /** The posting's number in its account and currency (1, 2, …: the balance row's last_seq after it). */
  readonly account_seq: bigint;
  readonly balance_after_minor: bigint;
}

/** A limited account's balance row, locked (FOR UPDATE) by the writer before the plan decides its debits. */
export interface LimitedBalance {
  readonly ledger_account: string;
  readonly currency: string;
  readonly balance_minor: bigint;
  /** The balance may not go below minus this. */
  readonly overdraft_limit_minor: bigint;
}

/**
 * An event the relay publishes after the commit: to transactions.posted, to transactions.rejected (a
 * transaction the ledger itself refused), or to the DLQ.
 */
export interface OutboxEvent {
  readonly event_id: string;
  /** The Kafka key and the relay's ordering key (account id, or the dead letter's key). */
  readonly aggregate_id: string;
  readonly topic_id: "posted" | "rejected" | "dlq";
  readonly event_type: "TransactionPosted" | "TransactionRejected" | "DeadLetter";
  /** The record as JSON (bigints as strings, times ISO, bytes base64); the relay encodes it as Avro. */
  readonly payload: Record<string, unknown>;
  readonly traceparent: string | null;
}

export interface PayloadConflictRow {
  readonly transaction_id: string;
  readonly existing_hash: string | null;
  readonly new_hash: string | null;
  readonly coordinates: Coordinates;
}

/** A transaction a refund of the batch names, as the plan needs it (read with its row locked). */
export interface OriginalRow {
  readonly transaction_id: string;
  readonly client_id: string | null;
  readonly account_id: string | null;
  readonly type: string;
  readonly status: string;
  readonly currency: string | null;
  readonly amount_minor: bigint | null;
  readonly refunded_minor: bigint;
  readonly merchant_name: string | null;
  readonly counterparty_account_id: string | null;
}

/** A transaction already in the ledger, as the plan needs it. */
export interface ExistingRow {
  readonly transaction_id: string;
  readonly payload_hash: string | null;
  readonly status: string;
}

/** A stored position: the next offset to read of a partition, and the topic incarnation it belongs to. */
export interface StoredPosition {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: bigint;
  readonly topicId: string | null;
}

/** A transaction row with what it implies: written only if the row really is new. */
export interface LedgerEntry {
  readonly row: TransactionInsert;
  readonly postings: readonly PostingInsert[];
  readonly events: readonly OutboxEvent[];
  /** The row replaces a dead_lettered row of the same id (a replayed dead letter): an update, not an insert. */
  readonly upgrade?: true;
  /** A refund's amount, added to its original's refunded_minor when the row is written. */
  readonly refund?: { readonly original_transaction_id: string; readonly amount_minor: bigint };
}

/** Everything one batch writes, decided before any write (the sink's pure plan). */
export interface LedgerWritePlan {
  /** New rows (or a dead_lettered row a replayed record upgrades), with their postings and events. */
  readonly entries: readonly LedgerEntry[];
  /** Events written whatever happens to the rows: the dead letters the sink raises itself. */
  readonly events: readonly OutboxEvent[];
  readonly conflicts: readonly PayloadConflictRow[];
  /** Next offset per partition after this batch, with the topic id it was read from. */
  readonly positions: readonly StoredPosition[];
  /**
   * The limited accounts whose locked balances the plan decided against (balanceKey). An account outside
   * it that turns out limited when the balances are written got its limit meanwhile: the batch retries.
   */
  readonly limited: ReadonlySet<string>;
  /**
   * The time the batch posts at (its transactions' posted_at): its postings' time too, unless an account's
   * last posting is later (postBalances).
   */
  readonly postedAt: Date;
}
