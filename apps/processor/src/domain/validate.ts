// Validation rules: each failure is a machine-readable code, the field and a message. Pure.
import { CONTROL_CHARACTERS, CONTROL_CHARACTERS_ALL, type TransactionRequested } from "@ledgerline/contracts";
import {
  exponentOf,
  formatMinor,
  isSupportedCurrency,
  isTransactionType,
  KIND_FIELDS,
  TRANSACTION_TYPES,
} from "@ledgerline/domain";
import { pow10 } from "./fx.ts";
import { normalisedMerchantName } from "./merchants.ts";

export type ReasonCode =
  | "ACCOUNT_ID_FORMAT"
  | "CURRENCY_UNSUPPORTED"
  | "FX_RATE_MISSING"
  | "AMOUNT_OUT_OF_RANGE"
  | "MERCHANT_MISSING"
  | "OCCURRED_IN_FUTURE"
  | "TEXT_CONTROL_CHARACTERS"
  | "TYPE_UNSUPPORTED"
  | "FIELD_REQUIRED"
  | "FIELD_NOT_ALLOWED"
  | "COUNTERPARTY_FORMAT"
  | "COUNTERPARTY_SAME_ACCOUNT"
  | "ORIGINAL_FORMAT";

export interface RejectionReason {
  readonly code: ReasonCode;
  readonly field: string | null;
  readonly message: string;
}

export interface ValidationContext {
  readonly now: Date;
  /** Currencies with a rate into the base currency in the FX table. */
  readonly hasRate: (currency: string) => boolean;
}

/** Letters, digits, '-' and '_', 3 to 64 characters: "ACC-7890", PaySim's "C1231006815". */
export const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/** A refund's original: a transaction id, as the client got it or chose it. */
export const TRANSACTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Largest accepted amount, in major units of any currency (PaySim's largest is about 92 million). */
export const MAX_AMOUNT_MAJOR = 1_000_000_000n;

/** Client clocks drift: only timestamps beyond this skew count as "in the future". */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;

export const validate = (request: TransactionRequested, context: ValidationContext): RejectionReason[] => {
  const reasons: RejectionReason[] = [];
  if (!ACCOUNT_ID.test(request.account_id)) {
    reasons.push({
      code: "ACCOUNT_ID_FORMAT",
      field: "account_id",
      message: `account id ${JSON.stringify(request.account_id)} must be 3-64 letters, digits, '-' or '_'`,
    });
  }
  if (!isSupportedCurrency(request.currency)) {
    reasons.push({
      code: "CURRENCY_UNSUPPORTED",
      field: "currency",
      message: `currency ${JSON.stringify(request.currency)} is not supported`,
    });
  } else {
    if (!context.hasRate(request.currency)) {
      reasons.push({
        code: "FX_RATE_MISSING",
        field: "currency",
        message: `no FX rate for ${request.currency} into the base currency`,
      });
    }
    const max = MAX_AMOUNT_MAJOR * pow10(exponentOf(request.currency));
    if (request.amount_minor <= 0n || request.amount_minor > max) {
      reasons.push({
        code: "AMOUNT_OUT_OF_RANGE",
        field: "amount_minor",
        message: `amount must be greater than 0 and at most ${formatMinor(max, request.currency)} ${request.currency}`,
      });
    }
  }
  reasons.push(...kindReasons(request));
  // A foreign producer's text may carry what the gateway refuses (NUL, other controls): the ledger cannot
  // store it, so the record is rejected with the fields named (rejectedValue makes the row storable).
  for (const field of controlCharacterFields(request)) {
    reasons.push({
      code: "TEXT_CONTROL_CHARACTERS",
      field,
      message: `${field} contains control characters (U+0000 to U+001F, U+007F)`,
    });
  }
  if (request.occurred_at.getTime() > context.now.getTime() + FUTURE_SKEW_MS) {
    reasons.push({
      code: "OCCURRED_IN_FUTURE",
      field: "occurred_at",
      message: `occurred_at ${request.occurred_at.toISOString()} is in the future`,
    });
  }
  return reasons;
};

const KIND_TEXT_FIELDS = ["counterparty_account_id", "original_transaction_id"] as const;

/** The kind's own rules: a known type, the fields it needs, none that belong to another kind. */
export const kindReasons = (request: TransactionRequested): RejectionReason[] => {
  if (!isTransactionType(request.type)) {
    return [
      {
        code: "TYPE_UNSUPPORTED",
        field: "type",
        message: `type ${JSON.stringify(request.type)} is not one of ${TRANSACTION_TYPES.join(", ")}`,
      },
    ];
  }
  const reasons: RejectionReason[] = [];
  const rules = KIND_FIELDS[request.type];
  if (rules.merchant_name === "required" && normalisedMerchantName(request.merchant_name) === "") {
    reasons.push({ code: "MERCHANT_MISSING", field: "merchant_name", message: "merchant name is empty" });
  }
  for (const field of KIND_TEXT_FIELDS) {
    const value = request[field];
    const present = value !== null && value !== "";
    if (rules[field] === "required" && !present) {
      reasons.push({ code: "FIELD_REQUIRED", field, message: `a ${request.type} needs ${field}` });
    } else if (rules[field] === "forbidden" && present) {
      reasons.push({
        code: "FIELD_NOT_ALLOWED",
        field,
        message: `${field} does not belong to a ${request.type}`,
      });
    }
  }
  const counterparty = request.counterparty_account_id;
  if (request.type === "transfer" && counterparty) {
    if (!ACCOUNT_ID.test(counterparty)) {
      reasons.push({
        code: "COUNTERPARTY_FORMAT",
        field: "counterparty_account_id",
        message: `account id ${JSON.stringify(counterparty)} must be 3-64 letters, digits, '-' or '_'`,
      });
    } else if (counterparty === request.account_id) {
      reasons.push({
        code: "COUNTERPARTY_SAME_ACCOUNT",
        field: "counterparty_account_id",
        message: "a transfer must go to another account",
      });
    }
  }
  const original = request.original_transaction_id;
  if (request.type === "refund" && original && !TRANSACTION_ID.test(original)) {
    reasons.push({
      code: "ORIGINAL_FORMAT",
      field: "original_transaction_id",
      message: `original_transaction_id ${JSON.stringify(original)} is not a transaction id (UUID)`,
    });
  }
  return reasons;
};

const TEXT_FIELDS = [
  "account_id",
  "merchant_name",
  "client_id",
  "idempotency_key",
  "type",
  "counterparty_account_id",
  "original_transaction_id",
] as const;

/** The text fields of a request that hold control characters. */
export const controlCharacterFields = (request: TransactionRequested): string[] => {
  const fields: string[] = [];
  for (const field of TEXT_FIELDS) {
    const value = request[field];
    if (typeof value === "string" && CONTROL_CHARACTERS.test(value)) fields.push(field);
  }
  for (const [key, value] of Object.entries(request.metadata)) {
    if (CONTROL_CHARACTERS.test(key) || CONTROL_CHARACTERS.test(value))
      fields.push(`metadata.${key.replace(CONTROL_CHARACTERS_ALL, "?")}`);
  }
  return fields;
};

/** Control characters replaced by U+FFFD, so a rejected record can still be stored and shown. */
export const withoutControls = (text: string) => text.replace(CONTROL_CHARACTERS_ALL, "\ufffd");
