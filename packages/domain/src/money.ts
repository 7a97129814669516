// Decimal text ↔ integer minor units, decided on the digits the client wrote, never on a float.
import { type CurrencyCode, exponentOf } from "./currencies.ts";

export type AmountProblem = "NOT_A_DECIMAL" | "TOO_MANY_DECIMALS" | "NOT_POSITIVE" | "TOO_LARGE";

export type ParsedAmount =
  | { readonly ok: true; readonly minor: bigint }
  | { readonly ok: false; readonly problem: AmountProblem; readonly message: string };

const DECIMAL = /^(\d{1,30})(?:\.(\d{1,30}))?$/;

/**
 * Converts the amount's decimal text (as written in the JSON, e.g. "1250.75") to minor units.
 * `maxMinor` bounds the result so it stays far inside a signed 64-bit long.
 */
export const toMinorUnits = (text: string, currency: CurrencyCode, maxMinor: bigint): ParsedAmount => {
  const match = DECIMAL.exec(text.trim());
  if (!match)
    return { ok: false, problem: "NOT_A_DECIMAL", message: `amount ${text} is not a plain decimal number` };
  const [, whole, fraction = ""] = match;
  const exponent = exponentOf(currency);
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > exponent) {
    return {
      ok: false,
      problem: "TOO_MANY_DECIMALS",
      message: `${currency} allows ${exponent} decimal place${exponent === 1 ? "" : "s"}; ${text} has more`,
    };
  }
  const minor = BigInt(whole! + significant.padEnd(exponent, "0"));
  if (minor <= 0n) return { ok: false, problem: "NOT_POSITIVE", message: "amount must be greater than zero" };
  if (minor > maxMinor) {
    return {
      ok: false,
      problem: "TOO_LARGE",
      message: `amount exceeds the maximum of ${formatMinor(maxMinor, currency)} ${currency}`,
    };
  }
  return { ok: true, minor };
};

/** Minor units back to decimal text with the currency's exponent ("125075" USD → "1250.75"). */
export const formatMinor = (minor: bigint, currency: CurrencyCode): string => {
  const exponent = exponentOf(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, "0");
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
};
