// Pure ledger decisions for one batch: which rows to insert, their postings, the balance deltas
// and the outbox events. No I/O: the writer asks the database which rows were really new.
import type {
  DeadLetter,
  TransactionPosted,
  TransactionRejected,
  TransactionValidated,
} from "@ledgerline/contracts";

/** Where a record came from: kept for conflicts and dead letters. */
export interface Coordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export type SinkInput =
  | { readonly _tag: "Validated"; readonly coordinates: Coordinates; readonly value: TransactionValidated }
  | { readonly _tag: "Rejected"; readonly coordinates: Coordinates; readonly value: TransactionRejected }
  | { readonly _tag: "DeadLettered"; readonly coordinates: Coordinates; readonly value: DeadLetter };

/** A transactions row ready for jsonb_to_recordset: bigints as decimal strings, times as ISO text. */
export interface TransactionRow {
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
  readonly status: "posted" | "rejected" | "dead_lettered";
  readonly rejection_reasons: readonly { code: string; field: string | null; message: string }[] | null;
  readonly dead_letter_reason: string | null;
  readonly risk_flags: readonly string[];
  readonly occurred_at: string | null;
  readonly accepted_at: string | null;
  readonly posted_at: string | null;
  readonly client_id: string | null;
  readonly payload_hash: string | null;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface PostingRow {
  readonly transaction_id: string;
  readonly ledger_account: string;
  readonly currency: string;
  readonly amount_minor: bigint;
}

export interface OutboxRow {
  readonly event_id: string;
  readonly aggregate_id: string;
  readonly event_type: "TransactionPosted";
  /** TransactionPosted as JSON (bigints as strings, times as ISO); the relay re-encodes it as Avro. */
  readonly payload: Record<string, unknown>;
}

export interface BalanceDelta {
  readonly ledger_account: string;
  readonly currency: string;
  readonly delta_minor: bigint;
}

/** One candidate row with everything it implies if the database reports it as newly applied. */
export interface Candidate {
  readonly input: SinkInput;
  readonly row: TransactionRow;
  readonly postings: readonly PostingRow[];
  readonly outbox: OutboxRow | null;
}

/** Same id twice in one batch with different content: the second one is a conflict. */
export interface InBatchConflict {
  readonly input: SinkInput;
  readonly existingHash: string | null;
}

export interface BatchPlan {
  readonly candidates: readonly Candidate[];
  readonly conflicts: readonly InBatchConflict[];
  /** Exact repeats inside the batch (at-least-once delivery); nothing to do. */
  readonly duplicates: number;
}

export const customerAccount = (accountId: string) => `customer:${accountId}`;
/** The merchant's settlement account, named by its normalised name so spelling variants meet. */
export const merchantSettlementAccount = (merchantName: string) =>
  `merchant:${merchantName.trim().replace(/\s+/g, " ").toUpperCase()}`;

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export const transactionIdOf = (input: SinkInput): string | null => input.value.transaction_id;

export const payloadHashOf = (input: SinkInput): string | null =>
  input._tag === "DeadLettered" ? null : input.value.payload_hash;

const validatedCandidate = (
  value: TransactionValidated,
  eventId: string,
  now: Date,
): Omit<Candidate, "input"> => {
  const debit = customerAccount(value.account_id);
  const credit = merchantSettlementAccount(value.merchant_name);
  const posted: TransactionPosted = {
    event_id: eventId,
    transaction_id: value.transaction_id,
    account_id: value.account_id,
    amount_minor: value.amount_minor,
    currency: value.currency,
    base_amount_minor: value.base_amount_minor,
    base_currency: value.base_currency,
    merchant_name: value.merchant_name,
    merchant_category: value.merchant_category,
    debit_account: debit,
    credit_account: credit,
    risk_flags: value.risk_flags,
    occurred_at: value.occurred_at,
    posted_at: now,
  };
  return {
    row: {
      transaction_id: value.transaction_id,
      account_id: value.account_id,
      amount_minor: value.amount_minor.toString(),
      currency: value.currency,
      base_currency: value.base_currency,
      base_amount_minor: value.base_amount_minor.toString(),
      fx_rate: value.fx_rate,
      fx_rate_as_of: iso(value.fx_rate_as_of),
      merchant_name: value.merchant_name,
      merchant_category: value.merchant_category,
      status: "posted",
      rejection_reasons: null,
      dead_letter_reason: null,
      risk_flags: value.risk_flags,
      occurred_at: iso(value.occurred_at),
      accepted_at: iso(value.accepted_at),
      posted_at: iso(now),
      client_id: value.client_id,
      payload_hash: value.payload_hash,
      metadata: value.metadata,
    },
    postings: [
      {
        transaction_id: value.transaction_id,
        ledger_account: debit,
        currency: value.currency,
        amount_minor: -value.amount_minor,
      },
      {
        transaction_id: value.transaction_id,
        ledger_account: credit,
        currency: value.currency,
        amount_minor: value.amount_minor,
      },
    ],
    outbox: {
      event_id: eventId,
      aggregate_id: value.account_id,
      event_type: "TransactionPosted",
      payload: postedToJson(posted),
    },
  };
};

const rejectedRow = (value: TransactionRejected): TransactionRow => ({
  transaction_id: value.transaction_id,
  account_id: value.account_id,
  amount_minor: value.amount_minor.toString(),
  currency: value.currency,
  base_currency: null,
  base_amount_minor: null,
  fx_rate: null,
  fx_rate_as_of: null,
  merchant_name: value.merchant_name,
  merchant_category: null,
  status: "rejected",
  rejection_reasons: value.reasons.map((reason) => ({
    code: reason.code,
    field: reason.field,
    message: reason.message,
  })),
  dead_letter_reason: null,
  risk_flags: [],
  occurred_at: iso(value.occurred_at),
  accepted_at: iso(value.accepted_at),
  posted_at: null,
  client_id: value.client_id,
  payload_hash: value.payload_hash,
  metadata: value.metadata,
});

const deadLetteredRow = (value: DeadLetter, transactionId: string): TransactionRow => ({
  transaction_id: transactionId,
  account_id: null,
  amount_minor: null,
  currency: null,
  base_currency: null,
  base_amount_minor: null,
  fx_rate: null,
  fx_rate_as_of: null,
  merchant_name: null,
  merchant_category: null,
  status: "dead_lettered",
  rejection_reasons: null,
  dead_letter_reason: `${value.reason_code} (${value.stage}): ${value.error_message}`.slice(0, 2_000),
  risk_flags: [],
  occurred_at: null,
  accepted_at: null,
  posted_at: null,
  client_id: null,
  payload_hash: null,
  metadata: {},
});

/**
 * Plans a batch. The first occurrence of an id wins; an exact repeat is dropped, a repeat with a
 * different payload hash becomes a conflict. Dead letters without a transaction id carry nothing
 * to record (their offsets still advance).
 */
export const planBatch = (
  inputs: readonly SinkInput[],
  context: { now: Date; newEventId: () => string },
): BatchPlan => {
  const seen = new Map<string, string | null>();
  const candidates: Candidate[] = [];
  const conflicts: InBatchConflict[] = [];
  let duplicates = 0;
  for (const input of inputs) {
    const id = transactionIdOf(input);
    if (id === null) continue;
    const hash = payloadHashOf(input);
    if (seen.has(id)) {
      const firstHash = seen.get(id) ?? null;
      if (hash !== null && firstHash !== null && hash !== firstHash)
        conflicts.push({ input, existingHash: firstHash });
      else duplicates += 1;
      continue;
    }
    seen.set(id, hash);
    switch (input._tag) {
      case "Validated":
        candidates.push({ input, ...validatedCandidate(input.value, context.newEventId(), context.now) });
        break;
      case "Rejected":
        candidates.push({ input, row: rejectedRow(input.value), postings: [], outbox: null });
        break;
      case "DeadLettered":
        candidates.push({ input, row: deadLetteredRow(input.value, id), postings: [], outbox: null });
        break;
    }
  }
  return { candidates, conflicts, duplicates };
};

/** Balance changes of the applied postings, one per account and currency, in lock order. */
export const aggregateBalanceDeltas = (postings: readonly PostingRow[]): BalanceDelta[] => {
  const totals = new Map<string, BalanceDelta>();
  for (const posting of postings) {
    const key = `${posting.ledger_account}\u0000${posting.currency}`;
    const current = totals.get(key);
    totals.set(key, {
      ledger_account: posting.ledger_account,
      currency: posting.currency,
      delta_minor: (current?.delta_minor ?? 0n) + posting.amount_minor,
    });
  }
  // A fixed order keeps concurrent batches from deadlocking on the balance rows.
  return [...totals.values()].sort((a, b) =>
    a.ledger_account === b.ledger_account
      ? a.currency.localeCompare(b.currency)
      : a.ledger_account < b.ledger_account
        ? -1
        : 1,
  );
};

export const postedToJson = (posted: TransactionPosted): Record<string, unknown> => ({
  ...posted,
  amount_minor: posted.amount_minor.toString(),
  base_amount_minor: posted.base_amount_minor.toString(),
  occurred_at: posted.occurred_at.toISOString(),
  posted_at: posted.posted_at.toISOString(),
});

export const postedFromJson = (json: Record<string, unknown>): TransactionPosted => {
  const value = json as { [K in keyof TransactionPosted]: K extends "risk_flags" ? string[] : string };
  return {
    event_id: value.event_id,
    transaction_id: value.transaction_id,
    account_id: value.account_id,
    amount_minor: BigInt(value.amount_minor),
    currency: value.currency,
    base_amount_minor: BigInt(value.base_amount_minor),
    base_currency: value.base_currency,
    merchant_name: value.merchant_name,
    merchant_category: value.merchant_category,
    debit_account: value.debit_account,
    credit_account: value.credit_account,
    risk_flags: value.risk_flags ?? [],
    occurred_at: new Date(value.occurred_at),
    posted_at: new Date(value.posted_at),
  };
};
