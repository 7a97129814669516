// Risk flags raised during enrichment: large amounts per currency and PaySim's own flagging rule.
import { type CurrencyCode, exponentOf } from "@ledgerline/domain";
import { pow10 } from "./fx.ts";

/** Large-amount thresholds in MAJOR units of the transaction's currency (regulatory-style reporting levels). */
export const largeAmountThresholds: Readonly<Partial<Record<CurrencyCode, bigint>>> = {
  USD: 10_000n,
  EUR: 10_000n,
  GBP: 8_000n,
  CHF: 10_000n,
  CAD: 10_000n,
  AUD: 10_000n,
  JPY: 1_500_000n,
  CNY: 70_000n,
  INR: 800_000n,
  KRW: 13_000_000n,
  BHD: 3_800n,
  KWD: 3_000n,
};

/** Currencies without their own threshold are judged on the base-currency amount, in major units. */
export const DEFAULT_BASE_THRESHOLD = 10_000n;

/** PaySim flags TRANSFERs above 200,000 (its `isFlaggedFraud` column); we reproduce the rule exactly. */
export const PAYSIM_TRANSFER_LIMIT = 200_000n;

export const RiskFlag = {
  LARGE_AMOUNT: "LARGE_AMOUNT",
  PAYSIM_LARGE_TRANSFER: "PAYSIM_LARGE_TRANSFER",
  PAYSIM_FRAUD: "PAYSIM_FRAUD",
} as const;

/** Metadata keys the PaySim loader may use for the transaction type and the fraud label. */
const PAYSIM_TYPE_KEYS = ["paysim_type", "type"] as const;
const PAYSIM_FRAUD_KEYS = ["paysim_is_fraud", "isFraud", "is_fraud"] as const;

const firstOf = (metadata: Readonly<Record<string, string>>, keys: readonly string[]): string | undefined => {
  for (const key of keys) {
    const value = metadata[key];
    if (value !== undefined) return value;
  }
  return undefined;
};

const major = (currency: CurrencyCode): bigint => pow10(exponentOf(currency));

export interface RiskInput {
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly baseAmountMinor: bigint;
  readonly baseCurrency: CurrencyCode;
  readonly metadata: Readonly<Record<string, string>>;
}

export const riskFlags = (input: RiskInput): string[] => {
  const flags: string[] = [];
  const threshold = largeAmountThresholds[input.currency];
  const large =
    threshold !== undefined
      ? input.amountMinor >= threshold * major(input.currency)
      : input.baseAmountMinor >= DEFAULT_BASE_THRESHOLD * major(input.baseCurrency);
  if (large) flags.push(RiskFlag.LARGE_AMOUNT);
  const type = firstOf(input.metadata, PAYSIM_TYPE_KEYS)?.toUpperCase();
  if (type === "TRANSFER" && input.amountMinor > PAYSIM_TRANSFER_LIMIT * major(input.currency)) {
    flags.push(RiskFlag.PAYSIM_LARGE_TRANSFER);
  }
  const fraud = firstOf(input.metadata, PAYSIM_FRAUD_KEYS);
  if (fraud === "1" || fraud?.toLowerCase() === "true") flags.push(RiskFlag.PAYSIM_FRAUD);
  return flags;
};
