// A parsed request body → the TransactionRequested record, or every field error at once. Pure.

import type { TransactionRequested } from "@ledgerline/contracts";
import {
  type FieldError,
  LIMITS,
  type TRANSACTION_REQUEST_TYPES,
  TransactionRequest,
} from "@ledgerline/contracts";
import {
  isSupportedCurrency,
  isTransactionType,
  KIND_FIELDS,
  payloadHash,
  type TransactionType,
  toMinorUnits,
} from "@ledgerline/domain";
import type { z } from "zod";
import { idFromClientChosenId, idFromIdempotencyKey, newTransactionId } from "./transactionId.ts";

export interface IngestContext {
  readonly clientId: string;
  readonly idempotencyKey: string | undefined;
  readonly now: Date;
  readonly maxAmountMinor: bigint;
}

export type IngestDecision =
  | {
      readonly ok: true;
      readonly record: TransactionRequested;
      /** Fingerprint of the money fields (client-chosen ids only): tells an honest retry from a reused key. */
      readonly hash: string | undefined;
      /** True when the id came from the client (key or transaction_id): a retry is possible. */
      readonly clientChosenId: boolean;
    }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

const pathOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, part) =>
      typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    "",
  );

export const zodFieldErrors = (error: z.ZodError, prefix = ""): FieldError[] =>
  error.issues.map((issue) => {
    const field = pathOf(issue.path);
    const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "";
    return {
      field: prefix && field ? `${prefix}.${field}` : prefix || field || unknownKeys,
      code: issue.code.toUpperCase(),
      message: issue.message,
    };
  });

// The request's kinds and the domain's are one list (contracts does not depend on domain): a kind added
// to one and not the other fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SAME_KINDS: Same<(typeof TRANSACTION_REQUEST_TYPES)[number], TransactionType> = true;
void SAME_KINDS;

type KindField = "merchant_name" | "counterparty_account_id" | "original_transaction_id";
const KIND_FIELD_NAMES: readonly KindField[] = [
  "merchant_name",
  "counterparty_account_id",
  "original_transaction_id",
];

/** The kind's own fields: each one it requires is there, none that does not belong to it is. */
export const kindFieldErrors = (
  type: TransactionType,
  fields: { readonly [field in KindField]?: string | null },
): FieldError[] => {
  const errors: FieldError[] = [];
  const rules = KIND_FIELDS[type];
  for (const field of KIND_FIELD_NAMES) {
    const present = fields[field] != null;
    const rule = rules[field];
    if (rule === "required" && !present) {
      errors.push({ field, code: "REQUIRED", message: `${field} is required for a ${type}` });
    } else if (rule === "forbidden" && present) {
      errors.push({
        field,
        code: "NOT_ALLOWED_FOR_TYPE",
        message: `${field} does not belong to a ${type}`,
      });
    }
  }
  return errors;
};

/**
 * A body of the wrong shape: zod's errors, and those of its kind's fields that zod cannot see (a payment
 * without merchant_name is of the right shape), so that every field error is told at once.
 */
const shapeErrors = (body: unknown, error: z.ZodError): FieldError[] => {
  const errors = zodFieldErrors(error);
  if (typeof body !== "object" || body === null || Array.isArray(body)) return errors;
  const fields = body as Record<string, unknown>;
  const type = fields.type ?? "payment";
  if (typeof type !== "string" || !isTransactionType(type)) return errors;
  const named = new Set(errors.map((e) => e.field));
  const text = (value: unknown) => (value == null ? null : String(value));
  const kindErrors = kindFieldErrors(type, {
    merchant_name: text(fields.merchant_name),
    counterparty_account_id: text(fields.counterparty_account_id),
    original_transaction_id: text(fields.original_transaction_id),
  });
  return [...errors, ...kindErrors.filter((e) => !named.has(e.field))];
};

export const decideIngest = (body: unknown, context: IngestContext): IngestDecision => {
  const parsed = TransactionRequest.safeParse(body);
  if (!parsed.success) return { ok: false, errors: shapeErrors(body, parsed.error) };
  const request = parsed.data;
  const type: TransactionType = request.type ?? "payment";
  const counterparty = request.counterparty_account_id ?? null;
  const original = request.original_transaction_id?.toLowerCase() ?? null;
  const errors: FieldError[] = kindFieldErrors(type, request);
  if (type === "transfer" && counterparty === request.account_id) {
    errors.push({
      field: "counterparty_account_id",
      code: "SAME_ACCOUNT",
      message: "a transfer needs two accounts: counterparty_account_id is account_id",
    });
  }

  let amountMinor = 0n;
  if (!isSupportedCurrency(request.currency)) {
    errors.push({
      field: "currency",
      code: "UNKNOWN_CURRENCY",
      message: `${request.currency} is not a supported ISO 4217 currency`,
    });
  } else {
    const text = String(request.amount).trim();
    const amount = text.startsWith("-")
      ? { ok: false as const, problem: "NOT_POSITIVE", message: "amount must be greater than zero" }
      : toMinorUnits(text, request.currency, context.maxAmountMinor);
    if (amount.ok) amountMinor = amount.minor;
    else errors.push({ field: "amount", code: amount.problem, message: amount.message });
  }

  const key = context.idempotencyKey;
  if (
    key !== undefined &&
    (key.length === 0 || key.length > LIMITS.idempotencyKey || !/^[\x21-\x7e]+$/.test(key))
  ) {
    errors.push({
      field: "Idempotency-Key",
      code: "INVALID_HEADER",
      message: `1-${LIMITS.idempotencyKey} visible ASCII characters`,
    });
  }
  const derived = key !== undefined ? idFromIdempotencyKey(context.clientId, key) : undefined;
  if (derived && request.transaction_id && request.transaction_id.toLowerCase() !== derived) {
    errors.push({
      field: "transaction_id",
      code: "ID_MISMATCH",
      message: "transaction_id does not match the id derived from Idempotency-Key; send one or the other",
    });
  }
  const transactionId =
    derived ??
    (request.transaction_id === undefined
      ? newTransactionId()
      : idFromClientChosenId(context.clientId, request.transaction_id));
  if (
    original !== null &&
    (original === transactionId || original === request.transaction_id?.toLowerCase())
  ) {
    errors.push({
      field: "original_transaction_id",
      code: "SAME_TRANSACTION",
      message: "a refund cannot refund itself: original_transaction_id is this transaction's own id",
    });
  }
  if (errors.length > 0) return { ok: false, errors };

  const content = {
    account_id: request.account_id,
    amount_minor: amountMinor,
    currency: request.currency,
    merchant_name: request.merchant_name ?? "",
    type,
    counterparty_account_id: counterparty,
    original_transaction_id: original,
  };
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.metadata ?? {})) metadata[name] = String(value);

  const clientChosenId = derived !== undefined || request.transaction_id !== undefined;
  return {
    ok: true,
    hash: clientChosenId ? payloadHash(content) : undefined,
    clientChosenId,
    record: {
      ...content,
      transaction_id: transactionId,
      occurred_at: request.occurred_at ? new Date(request.occurred_at) : context.now,
      accepted_at: context.now,
      client_id: context.clientId,
      idempotency_key: key ?? null,
      metadata,
    },
  };
};
