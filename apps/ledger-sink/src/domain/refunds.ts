// What a validated transaction books: the legs of its kind, and for a refund whether its original can
// take it. Pure: the original's row (locked by the writer) and what the batch already refunded come in.
import type { TransactionValidated } from "@ledgerline/contracts";
import {
  isTransactionType,
  type Legs,
  ledgerIdCandidates,
  legsOf,
  legsOfRecorded,
  REFUNDABLE_TYPES,
  refundLegs,
  type TransactionType,
} from "@ledgerline/domain";
import type { OriginalRow } from "@ledgerline/ledger-db";

export type RefusalCode =
  | "ORIGINAL_NOT_FOUND"
  | "ORIGINAL_NOT_POSTED"
  | "ORIGINAL_NOT_REFUNDABLE"
  | "REFUND_ACCOUNT_MISMATCH"
  | "REFUND_CURRENCY_MISMATCH"
  | "REFUND_EXCEEDS_ORIGINAL"
  | "COUNTERPARTY_INVALID";

export type Booking =
  | { readonly _tag: "Book"; readonly legs: Legs; readonly refundOf: string | null }
  | {
      readonly _tag: "Refuse";
      readonly code: RefusalCode;
      readonly field: "original_transaction_id" | "counterparty_account_id";
      readonly message: string;
      /** The original's ledger id when found, else the id as named (null when it is no id). */
      readonly originalId: string | null;
    };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A refund's original as named, when it is a transaction id at all (the processor checks; a replay may not). */
const namedOriginal = (value: TransactionValidated): string | null =>
  value.type === "refund" && value.original_transaction_id && UUID.test(value.original_transaction_id)
    ? value.original_transaction_id.toLowerCase()
    : null;

/** The ids of the originals a refund may mean (its ledger id, or one its client chose). */
export const originalCandidates = (value: TransactionValidated): readonly string[] => {
  const named = namedOriginal(value);
  return named === null ? [] : ledgerIdCandidates(value.client_id, named);
};

/**
 * The legs a validated transaction books. A refund books its original's legs reversed, when the original
 * is a posted payment, transfer, cash_out or debit of the same client, account and currency, with enough
 * left to give back (`alreadyRefunded`: refunds of it earlier in this batch, on top of its refunded_minor).
 * Another client's transaction is not found: no client can learn another's ids.
 */
export const bookingOf = (
  value: TransactionValidated,
  findOriginal: (id: string) => OriginalRow | undefined,
  alreadyRefunded: (id: string) => bigint,
): Booking => {
  const type = isTransactionType(value.type) ? value.type : "payment";
  const transaction = {
    type,
    clientId: value.client_id,
    accountId: value.account_id,
    merchantName: value.merchant_name,
    counterpartyAccountId: value.counterparty_account_id,
  };
  if (type === "transfer") {
    // The processor lets no such transfer through; a record produced to transactions.validated by other
    // means could: it would book to a nameless account, or both legs to one.
    const counterparty = value.counterparty_account_id;
    if (!counterparty || counterparty.includes(":") || counterparty === value.account_id) {
      return {
        _tag: "Refuse",
        code: "COUNTERPARTY_INVALID",
        field: "counterparty_account_id",
        message: `a transfer needs another account of the client, not ${JSON.stringify(counterparty)}`,
        originalId: null,
      };
    }
  }
  if (type !== "refund") return { _tag: "Book", legs: legsOf(transaction), refundOf: null };
  const named = value.original_transaction_id ?? "";
  const original = originalCandidates(value)
    .map(findOriginal)
    .find((row) => row !== undefined && row.client_id === value.client_id);
  const refuse = (code: RefusalCode, message: string): Booking => ({
    _tag: "Refuse",
    code,
    field: "original_transaction_id",
    message,
    originalId: original?.transaction_id ?? namedOriginal(value),
  });
  if (!original) return refuse("ORIGINAL_NOT_FOUND", `no transaction ${named} of this client`);
  if (original.status !== "posted")
    return refuse("ORIGINAL_NOT_POSTED", `transaction ${named} is ${original.status}, not posted`);
  if (!REFUNDABLE_TYPES.includes(original.type as TransactionType))
    return refuse("ORIGINAL_NOT_REFUNDABLE", `a ${original.type} cannot be refunded`);
  if (original.account_id !== value.account_id)
    return refuse(
      "REFUND_ACCOUNT_MISMATCH",
      `transaction ${named} belongs to account ${original.account_id}`,
    );
  if (original.currency !== value.currency)
    return refuse("REFUND_CURRENCY_MISMATCH", `transaction ${named} is in ${original.currency}`);
  const left =
    (original.amount_minor ?? 0n) - original.refunded_minor - alreadyRefunded(original.transaction_id);
  if (value.amount_minor > left)
    return refuse(
      "REFUND_EXCEEDS_ORIGINAL",
      `refund of ${value.amount_minor} exceeds the ${left} (minor units) left to refund of transaction ${named}`,
    );
  const legs = legsOfRecorded(original);
  if (!legs) return refuse("ORIGINAL_NOT_REFUNDABLE", `a ${original.type} cannot be refunded`);
  return { _tag: "Book", legs: refundLegs(legs), refundOf: original.transaction_id };
};

/** A transaction this batch posts, as a later refund in the same batch finds it. */
export const postedInBatch = (value: TransactionValidated): OriginalRow => ({
  transaction_id: value.transaction_id,
  client_id: value.client_id,
  account_id: value.account_id,
  type: value.type,
  status: "posted",
  currency: value.currency,
  amount_minor: value.amount_minor,
  refunded_minor: 0n,
  merchant_name: value.merchant_name,
  counterparty_account_id: value.counterparty_account_id,
});
