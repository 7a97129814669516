// Enrichment: normalised merchant, category, base-currency amount (stream-table join on FX) and risk flags. Pure.
import type { TransactionRequested } from "@ledgerline/contracts";
import { type CurrencyCode, isSupportedCurrency } from "@ledgerline/domain";
import { convertMinor, type FxTable, formatRate } from "./fx.ts";
import { normalisedMerchantName } from "./merchants.ts";
import { riskFlags } from "./risk.ts";

export interface Enrichment {
  readonly merchantName: string;
  readonly merchantCategory: string;
  readonly baseCurrency: CurrencyCode;
  readonly baseAmountMinor: bigint;
  readonly fxRate: string;
  readonly fxRateAsOf: Date;
  readonly riskFlags: readonly string[];
}

export interface EnrichmentContext {
  readonly baseCurrency: CurrencyCode;
  readonly fx: FxTable;
  readonly categorise: (normalisedName: string) => string;
}

export class EnrichmentError extends Error {
  override readonly name = "EnrichmentError";
}

/** Assumes the request passed validation (supported currency with a rate); throws otherwise. */
export const enrich = (request: TransactionRequested, context: EnrichmentContext): Enrichment => {
  const { currency } = request;
  if (!isSupportedCurrency(currency)) throw new EnrichmentError(`unsupported currency ${currency}`);
  const rate = currency === context.baseCurrency ? undefined : context.fx.get(currency);
  if (currency !== context.baseCurrency && !rate) throw new EnrichmentError(`no FX rate for ${currency}`);
  const fxRate = rate ? rate.rate : "1";
  const baseAmountMinor = convertMinor(request.amount_minor, currency, context.baseCurrency, fxRate);
  const merchantName = normalisedMerchantName(request.merchant_name);
  return {
    merchantName,
    // A payment's category is its merchant's; the other kinds are categorised by what they are.
    merchantCategory: request.type === "payment" ? context.categorise(merchantName) : request.type,
    baseCurrency: context.baseCurrency,
    baseAmountMinor,
    fxRate: formatRate(fxRate),
    // The base currency converts to itself at 1, fixed since the epoch.
    fxRateAsOf: rate ? rate.asOf : new Date(0),
    riskFlags: riskFlags({
      amountMinor: request.amount_minor,
      currency,
      baseAmountMinor,
      baseCurrency: context.baseCurrency,
      metadata: request.metadata,
    }),
  };
};
