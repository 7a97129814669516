// The reference FX rates file (reference/fx-rates.json) and its FxRate records.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { FxRate as FxRateRecord } from "@ledgerline/contracts";
import { formatRate } from "./domain/fx.ts";
import { referenceDirectory } from "./domain/merchants.ts";

interface FxRatesFile {
  readonly base_currency: string;
  readonly as_of: string;
  readonly source?: string;
  readonly rates: Readonly<Record<string, string>>;
}

export const fxRatesFilePath = resolve(referenceDirectory, "fx-rates.json");

/** One FxRate record per currency; rates are validated as exact decimals here, before publishing. */
export const readFxRatesFile = (file = fxRatesFilePath): FxRateRecord[] => {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as FxRatesFile;
  const asOf = new Date(parsed.as_of);
  if (Number.isNaN(asOf.getTime())) throw new Error(`${file}: as_of ${parsed.as_of} is not a date`);
  return Object.entries(parsed.rates).map(([currency, rate]) => {
    if (typeof rate !== "string") throw new Error(`${file}: rate for ${currency} must be a decimal string`);
    return {
      currency,
      base_currency: parsed.base_currency,
      rate: formatRate(rate),
      as_of: asOf,
      source: parsed.source ?? "reference",
    };
  });
};
