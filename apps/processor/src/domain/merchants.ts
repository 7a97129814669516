// Merchant name normalisation and categorisation from the reference table in reference/.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export type MerchantRule =
  | { readonly prefix: string; readonly category: string }
  | { readonly contains: string; readonly category: string }
  | { readonly pattern: string; readonly category: string };

export interface MerchantTable {
  readonly rules: readonly MerchantRule[];
}

export const UNKNOWN_CATEGORY = "unknown";

/** Unicode-compatible form, no control characters, single spaces, upper case: "  Amazon\tMktp " → "AMAZON MKTP". */
export const normaliseMerchantName = (name: string): string =>
  name
    .normalize("NFKC")
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toUpperCase();

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

/** Compiles the table once; the returned function is pure. */
export const merchantCategoriser = (table: MerchantTable): ((normalisedName: string) => string) => {
  const rules = table.rules.map(compile);
  return (name) => rules.find((rule) => rule.matches(name))?.category ?? UNKNOWN_CATEGORY;
};

export const referenceDirectory = resolve(import.meta.dirname, "../../reference");

export const loadMerchantTable = (
  file = resolve(referenceDirectory, "merchant-categories.json"),
): MerchantTable => JSON.parse(readFileSync(file, "utf8")) as MerchantTable;
