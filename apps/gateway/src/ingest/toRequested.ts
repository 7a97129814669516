// A parsed request body → the TransactionRequested record, or every field error at once. Pure.

import type { TransactionRequested } from "@ledgerline/contracts";
import { type FieldError, LIMITS, TransactionRequest } from "@ledgerline/contracts";
import { isSupportedCurrency, payloadHash, toMinorUnits } from "@ledgerline/domain";
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

export const decideIngest = (body: unknown, context: IngestContext): IngestDecision => {
  const parsed = TransactionRequest.safeParse(body);
  if (!parsed.success) return { ok: false, errors: zodFieldErrors(parsed.error) };
  const request = parsed.data;
  const errors: FieldError[] = [];

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
  if (errors.length > 0) return { ok: false, errors };

  const content = {
    account_id: request.account_id,
    amount_minor: amountMinor,
    currency: request.currency,
    merchant_name: request.merchant_name,
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
      transaction_id:
        derived ??
        (request.transaction_id === undefined
          ? newTransactionId()
          : idFromClientChosenId(context.clientId, request.transaction_id)),
      occurred_at: request.occurred_at ? new Date(request.occurred_at) : context.now,
      accepted_at: context.now,
      client_id: context.clientId,
      idempotency_key: key ?? null,
      metadata,
    },
  };
};
