// Pure row builders: a validated, rejected or dead-lettered record → the ledger rows it stands for
// (transaction, postings, outbox event). No I/O; planBatch.ts decides which of them to write.
import type {
  DeadLetter,
  TransactionPosted,
  TransactionRejected,
  TransactionValidated,
} from "@ledgerline/contracts";
import type { Legs } from "@ledgerline/domain";
import type {
  Coordinates,
  LedgerEntry,
  OutboxEvent,
  PostingInsert,
  TransactionInsert,
} from "@ledgerline/ledger-db";

export type { Coordinates };

export type SinkInput =
  | { readonly _tag: "Validated"; readonly coordinates: Coordinates; readonly value: TransactionValidated }
  | { readonly _tag: "Rejected"; readonly coordinates: Coordinates; readonly value: TransactionRejected }
  | { readonly _tag: "DeadLettered"; readonly coordinates: Coordinates; readonly value: DeadLetter };

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export const transactionIdOf = (input: SinkInput): string | null => input.value.transaction_id;

/** Payload hash of a record with content (a dead letter has none). */
export const payloadHashOf = (input: SinkInput): string | null =>
  input._tag === "DeadLettered" ? null : input.value.payload_hash;

/** A refund's resolved original and the amount it gives back. */
export interface RefundOf {
  readonly originalTransactionId: string;
  readonly amountMinor: bigint;
}

/**
 * The posted row, its two postings (the debited leg negative, the credited leg positive: the legs its kind
 * books, decided by the plan) and its transactions.posted event.
 */
export const validatedEntry = (
  value: TransactionValidated,
  context: {
    readonly eventId: string;
    readonly now: Date;
    readonly traceparent: string | null;
    readonly legs: Legs;
    /** Its two postings, numbered by the plan (balances.ts). */
    readonly postings: readonly PostingInsert[];
    readonly refund: RefundOf | null;
  },
): LedgerEntry => {
  const { eventId, now, refund } = context;
  const { debit, credit } = context.legs;
  const originalId = refund ? refund.originalTransactionId : null;
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
    type: value.type,
    counterparty_account_id: value.counterparty_account_id,
    original_transaction_id: originalId,
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
      type: value.type,
      counterparty_account_id: value.counterparty_account_id,
      original_transaction_id: originalId,
    },
    ...(refund
      ? {
          refund: { original_transaction_id: refund.originalTransactionId, amount_minor: refund.amountMinor },
        }
      : {}),
    postings: context.postings,
    events: [
      {
        event_id: eventId,
        aggregate_id: value.account_id,
        topic_id: "posted",
        event_type: "TransactionPosted",
        payload: postedToJson(posted),
        traceparent: context.traceparent,
      },
    ],
  };
};

export const rejectedRow = (value: TransactionRejected): TransactionInsert => ({
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
  type: value.type,
  counterparty_account_id: value.counterparty_account_id,
  original_transaction_id: value.original_transaction_id,
});

/**
 * A validated transaction the ledger refuses (a refund its original cannot take, a transfer without another
 * account): a rejected row with the reason.
 */
export const refusedRow = (
  value: TransactionValidated,
  reason: { readonly code: string; readonly field: string; readonly message: string },
): TransactionInsert => ({
  ...rejectedRow({ ...value, reasons: [], rejected_at: value.validated_at }),
  base_currency: value.base_currency,
  base_amount_minor: value.base_amount_minor.toString(),
  fx_rate: value.fx_rate,
  fx_rate_as_of: iso(value.fx_rate_as_of),
  merchant_category: value.merchant_category,
  risk_flags: value.risk_flags,
  rejection_reasons: [{ code: reason.code, field: reason.field, message: reason.message }],
});

/**
 * The transactions.rejected event of a transaction the ledger refused, as the processor publishes its own
 * rejections: every outcome is on a topic, whichever stage decided it.
 */
export const rejectedEvent = (
  value: TransactionValidated,
  reason: { readonly code: string; readonly field: string; readonly message: string },
  context: { readonly eventId: string; readonly now: Date; readonly traceparent: string | null },
): OutboxEvent => {
  const rejected: TransactionRejected = {
    transaction_id: value.transaction_id,
    account_id: value.account_id,
    amount_minor: value.amount_minor,
    currency: value.currency,
    merchant_name: value.merchant_name,
    occurred_at: value.occurred_at,
    accepted_at: value.accepted_at,
    client_id: value.client_id,
    idempotency_key: value.idempotency_key,
    metadata: value.metadata,
    type: value.type,
    counterparty_account_id: value.counterparty_account_id,
    original_transaction_id: value.original_transaction_id,
    reasons: [{ code: reason.code, field: reason.field, message: reason.message }],
    payload_hash: value.payload_hash,
    rejected_at: context.now,
  };
  return {
    event_id: context.eventId,
    aggregate_id: value.account_id,
    topic_id: "rejected",
    event_type: "TransactionRejected",
    payload: {
      ...rejected,
      amount_minor: rejected.amount_minor.toString(),
      occurred_at: rejected.occurred_at.toISOString(),
      accepted_at: rejected.accepted_at.toISOString(),
      rejected_at: rejected.rejected_at.toISOString(),
    },
    traceparent: context.traceparent,
  };
};

export const rejectedFromJson = (json: Record<string, unknown>): TransactionRejected => {
  const value = json as unknown as Omit<
    TransactionRejected,
    "amount_minor" | "occurred_at" | "accepted_at" | "rejected_at"
  > & { amount_minor: string; occurred_at: string; accepted_at: string; rejected_at: string };
  return {
    ...value,
    amount_minor: BigInt(value.amount_minor),
    occurred_at: new Date(value.occurred_at),
    accepted_at: new Date(value.accepted_at),
    rejected_at: new Date(value.rejected_at),
  };
};

/** Text Postgres cannot store (NUL) removed: a reason must always be writable. */
export const storableText = (text: string, max = 2_000) => text.replaceAll("\u0000", "").slice(0, max);

/** A dead_lettered row: the id is in the ledger with its final status and the reason. */
export const deadLetteredRow = (transactionId: string, reason: string): TransactionInsert => ({
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
  dead_letter_reason: storableText(reason),
  risk_flags: [],
  occurred_at: null,
  accepted_at: null,
  posted_at: null,
  client_id: null,
  payload_hash: null,
  metadata: {},
  // Nothing is known of a dead letter's content: the column's default kind.
  type: "payment",
  counterparty_account_id: null,
  original_transaction_id: null,
});

/** The reason a dead letter from the DLQ topic is recorded with. */
export const deadLetterReason = (value: DeadLetter) =>
  `${value.reason_code} (${value.stage}): ${value.error_message}`;

export const postedToJson = (posted: TransactionPosted): Record<string, unknown> => ({
  ...posted,
  amount_minor: posted.amount_minor.toString(),
  base_amount_minor: posted.base_amount_minor.toString(),
  occurred_at: posted.occurred_at.toISOString(),
  posted_at: posted.posted_at.toISOString(),
});

export const postedFromJson = (json: Record<string, unknown>): TransactionPosted => {
  // Events written before version 2 of the contract have no kind fields: they were payments.
  const value = json as {
    [K in keyof TransactionPosted]: K extends "risk_flags"
      ? string[]
      : K extends "counterparty_account_id" | "original_transaction_id"
        ? string | null | undefined
        : string;
  };
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
    type: value.type ?? "payment",
    counterparty_account_id: value.counterparty_account_id ?? null,
    original_transaction_id: value.original_transaction_id ?? null,
    occurred_at: new Date(value.occurred_at),
    posted_at: new Date(value.posted_at),
  };
};
