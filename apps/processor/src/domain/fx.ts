// Currency conversion with exact decimals: bigint arithmetic and half-even rounding, never a float.
import { type CurrencyCode, exponentOf } from "@ledgerline/domain";
import { memoiseText } from "./memo.ts";

/** Scale of the Avro `decimal` rates (FxRate.rate, TransactionValidated.fx_rate). */
export const RATE_SCALE = 12;

export interface FxRate {
  readonly currency: string;
  readonly baseCurrency: string;
  /** Exact decimal text, e.g. "1.084500000000": 1 unit of currency = rate units of base. */
  readonly rate: string;
  readonly asOf: Date;
}

/** The in-memory FX table: the latest rate per currency (a stream-table join's table side). */
export type FxTable = ReadonlyMap<string, FxRate>;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** "1.0845" → 1084500000000n at scale 12; rejects negatives, exponents and digits beyond the scale. */
export const parseRate = (text: string): bigint => {
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`FX rate ${JSON.stringify(text)} is not a plain positive decimal`);
  const [, whole, fraction = ""] = match;
  if (fraction.length > RATE_SCALE && /[1-9]/.test(fraction.slice(RATE_SCALE))) {
    throw new RangeError(`FX rate ${text} has more than ${RATE_SCALE} decimal places`);
  }
  const unscaled = BigInt(whole! + fraction.slice(0, RATE_SCALE).padEnd(RATE_SCALE, "0"));
  if (unscaled <= 0n) throw new RangeError(`FX rate ${text} must be positive`);
  return unscaled;
};

/** parseRate remembered per text: the FX table changes rarely, and every record converts with it. */
const parsedRate = memoiseText(parseRate, { limit: 1_000 });

/** Canonical text of a rate at the Avro scale, e.g. "1.084500000000"; remembered per text like parseRate. */
export const formatRate = memoiseText(
  (text: string): string => {
    const digits = parsedRate(text)
      .toString()
      .padStart(RATE_SCALE + 1, "0");
    return `${digits.slice(0, -RATE_SCALE)}.${digits.slice(-RATE_SCALE)}`;
  },
  { limit: 1_000 },
);

const POWERS_OF_TEN = Array.from({ length: 40 }, (_, n) => 10n ** BigInt(n));

/** 10^n as a bigint, from a table for the exponents money uses. */
export const pow10 = (n: number): bigint => POWERS_OF_TEN[n] ?? 10n ** BigInt(n);

/** numerator / denominator rounded half-even (banker's rounding); both non-negative. */
export const divideHalfEven = (numerator: bigint, denominator: bigint): bigint => {
  if (denominator <= 0n || numerator < 0n) throw new RangeError("divideHalfEven expects n >= 0, d > 0");
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
};

/**
 * amount (minor units of `from`) × rate → minor units of `base`, rounded half-even:
 * base_minor = amount_minor × rate_unscaled × 10^exp(base) / (10^RATE_SCALE × 10^exp(from)).
 */
export const convertMinor = (
  amountMinor: bigint,
  from: CurrencyCode,
  base: CurrencyCode,
  rate: string,
): bigint =>
  divideHalfEven(
    amountMinor * parsedRate(rate) * pow10(exponentOf(base)),
    pow10(RATE_SCALE + exponentOf(from)),
  );

/** Applies one FxRate record to the table (ignores rates into another base currency). */
export const withRate = (
  table: Map<string, FxRate>,
  rate: FxRate,
  baseCurrency: string,
): Map<string, FxRate> => {
  if (rate.baseCurrency === baseCurrency) table.set(rate.currency, rate);
  return table;
};
