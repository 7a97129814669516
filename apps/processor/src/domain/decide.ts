// The processor's whole decision for one record: Validated | Rejected | DeadLetter. Pure, no I/O.
import type { TransactionRejected, TransactionRequested, TransactionValidated } from "@ledgerline/contracts";
import { payloadHash } from "@ledgerline/domain";
import { type EnrichmentContext, enrich } from "./enrich.ts";
import { validate, withoutControls } from "./validate.ts";

/** What decoding produced: the request, or why the bytes are poison. */
export type Decoded =
  | { readonly ok: true; readonly request: TransactionRequested }
  | {
      readonly ok: false;
      readonly reasonCode: string;
      readonly errorClass: string;
      readonly message: string;
    };

export type Decision =
  | { readonly _tag: "Validated"; readonly key: string; readonly value: TransactionValidated }
  | { readonly _tag: "Rejected"; readonly key: string; readonly value: TransactionRejected }
  | {
      readonly _tag: "DeadLetter";
      readonly transactionId: string | null;
      readonly reasonCode: string;
      readonly errorClass: string;
      readonly message: string;
    };

export interface DecisionContext extends EnrichmentContext {
  readonly now: Date;
}

/** The request holds every hashed field under its own name: no copy into a HashedContent per record. */
const hashOf = (request: TransactionRequested) => payloadHash(request);

const orNull = (text: string | null) => (text === null ? null : withoutControls(text));

/** The request with its text made storable (control characters replaced); the hash stays the original's. */
const storable = (request: TransactionRequested): TransactionRequested => ({
  ...request,
  account_id: withoutControls(request.account_id),
  merchant_name: withoutControls(request.merchant_name),
  client_id: withoutControls(request.client_id),
  idempotency_key: orNull(request.idempotency_key),
  type: withoutControls(request.type),
  counterparty_account_id: orNull(request.counterparty_account_id),
  original_transaction_id: orNull(request.original_transaction_id),
  metadata: Object.fromEntries(
    Object.entries(request.metadata).map(([key, value]) => [withoutControls(key), withoutControls(value)]),
  ),
});

export const decide = (decoded: Decoded, context: DecisionContext): Decision => {
  if (!decoded.ok) {
    return {
      _tag: "DeadLetter",
      transactionId: null,
      reasonCode: decoded.reasonCode,
      errorClass: decoded.errorClass,
      message: decoded.message,
    };
  }
  const { request } = decoded;
  const reasons = validate(request, {
    now: context.now,
    hasRate: (currency) => currency === context.baseCurrency || context.fx.has(currency),
  });
  if (reasons.length > 0) {
    return {
      _tag: "Rejected",
      key: request.account_id,
      value: {
        ...storable(request),
        reasons: [...reasons],
        payload_hash: hashOf(request),
        rejected_at: context.now,
      },
    };
  }
  try {
    const enrichment = enrich(request, context);
    return {
      _tag: "Validated",
      key: request.account_id,
      value: {
        ...request,
        original_transaction_id: request.original_transaction_id?.toLowerCase() ?? null,
        merchant_name: enrichment.merchantName,
        merchant_category: enrichment.merchantCategory,
        base_currency: enrichment.baseCurrency,
        base_amount_minor: enrichment.baseAmountMinor,
        fx_rate: enrichment.fxRate,
        fx_rate_as_of: enrichment.fxRateAsOf,
        risk_flags: [...enrichment.riskFlags],
        payload_hash: hashOf(request),
        validated_at: context.now,
      },
    };
  } catch (error) {
    return {
      _tag: "DeadLetter",
      transactionId: request.transaction_id,
      reasonCode: "ENRICHMENT_FAILED",
      errorClass: error instanceof Error ? error.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
    };
  }
};
