// Merchant name normalisation and categorisation from the reference table in reference/.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type MemoOptions, memoiseText } from "./memo.ts";

export type MerchantRule =
  | { readonly prefix: string; readonly category: string }
  | { readonly contains: string; readonly category: string }
  | { readonly pattern: string; readonly category: string };

export interface MerchantTable {
  readonly rules: readonly MerchantRule[];
}

export const UNKNOWN_CATEGORY = "unknown";

/** Printable ASCII words single-spaced: NFKC leaves ASCII as it is, so only the case changes. */
const PLAIN_ASCII = /^[!-~]+(?: [!-~]+)*$/;

/** Unicode-compatible form, no control characters, single spaces, upper case: "  Amazon\tMktp " → "AMAZON MKTP". */
export const normaliseMerchantName = (name: string): string =>
  PLAIN_ASCII.test(name)
    ? name.toUpperCase()
    : name
        .normalize("NFKC")
        .replace(/\p{Cc}/gu, " ")
        .replace(/\s+/g, " ")
        .trim()
        .toUpperCase();

/** normaliseMerchantName remembered per name (validation and enrichment both need it, and names repeat). */
export const normalisedMerchantName = memoiseText(normaliseMerchantName);

interface CompiledRule {
  readonly matches: (name: string) => boolean;
  readonly category: string;
}

const compile = (rule: MerchantRule): CompiledRule => {
  if ("prefix" in rule) return { matches: (name) => name.startsWith(rule.prefix), category: rule.category };
  if ("contains" in rule) return { matches: (name) => name.includes(rule.contains), category: rule.category };
  const regex = new RegExp(rule.pattern, "u");
  return { matches: (name) => regex.test(name), category: rule.category };
};

/** Compiles the table once; the returned function is pure, and remembers its answer per name. */
export const merchantCategoriser = (
  table: MerchantTable,
  memo?: MemoOptions,
): ((normalisedName: string) => string) => {
  const rules = table.rules.map(compile);
  return memoiseText((name) => rules.find((rule) => rule.matches(name))?.category ?? UNKNOWN_CATEGORY, memo);
};

export const referenceDirectory = resolve(import.meta.dirname, "../../reference");

export const loadMerchantTable = (
  file = resolve(referenceDirectory, "merchant-categories.json"),
): MerchantTable => JSON.parse(readFileSync(file, "utf8")) as MerchantTable;
