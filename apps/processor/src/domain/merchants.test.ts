import { describe, expect, it } from "vitest";
import {
  loadMerchantTable,
  type MerchantRule,
  merchantCategoriser,
  normalisedMerchantName,
  normaliseMerchantName,
  UNKNOWN_CATEGORY,
} from "./merchants.ts";

// The normaliser before its ASCII fast path: the reference for every name.
const referenceNormalise = (name: string): string =>
  name
    .normalize("NFKC")
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toUpperCase();

/** The table's own words, then variants with odd spacing, controls, full-width and accented letters. */
const names = (rules: readonly MerchantRule[]): string[] => {
  const words = rules.flatMap((rule) =>
    "prefix" in rule ? [rule.prefix] : "contains" in rule ? [rule.contains] : [],
  );
  const base = [
    ...words,
    "M1979787155",
    "C1231006815",
    "Corner Shop 42",
    "Amazon Mktp EU",
    "café",
    "ｓｔａｒ",
  ];
  const variants = base.flatMap((word) => [
    word,
    word.toLowerCase(),
    ` ${word}`,
    `${word} `,
    `${word}  LONDON`,
    `${word}\tLONDON`,
    `${word}\u0000X`,
    `${word}\u00a0X`,
    `x ${word} 1`,
    `${word}\u2003Z`,
  ]);
  let seed = 7;
  for (let i = 0; i < 3000; i++) {
    let text = "";
    for (let j = 0; j < i % 12; j++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // Mostly printable ASCII, sometimes space, tab, DEL, NUL, NBSP or a full-width letter.
      const pick = seed % 110;
      text +=
        pick < 95
          ? String.fromCharCode(32 + pick)
          : ["\t", "\u007f", "\u0000", "\u00a0", "\uff21", "\n", "  "][pick % 7];
    }
    variants.push(text);
  }
  return variants;
};

describe("normaliseMerchantName", () => {
  it("trims, collapses whitespace, removes control characters and upper-cases", () => {
    expect(normaliseMerchantName("  Amazon\tMktp\u0000 EU  ")).toBe("AMAZON MKTP EU");
    expect(normaliseMerchantName("ｓｔａｒｂｕｃｋｓ")).toBe("STARBUCKS");
    expect(normaliseMerchantName(" \n ")).toBe("");
  });
  it("gives what the plain NFKC + replace + trim chain gives, for every name", () => {
    for (const name of names(loadMerchantTable().rules)) {
      expect(normaliseMerchantName(name), JSON.stringify(name)).toBe(referenceNormalise(name));
      expect(normalisedMerchantName(name), JSON.stringify(name)).toBe(referenceNormalise(name));
    }
  });
});

describe("merchantCategoriser", () => {
  it("answers as a plain scan of the rules, also across cache clears", () => {
    const { rules } = loadMerchantTable();
    const plain = (name: string) => {
      for (const rule of rules) {
        const hit =
          "prefix" in rule
            ? name.startsWith(rule.prefix)
            : "contains" in rule
              ? name.includes(rule.contains)
              : new RegExp(rule.pattern, "u").test(name);
        if (hit) return rule.category;
      }
      return UNKNOWN_CATEGORY;
    };
    const remembered = merchantCategoriser({ rules }, { limit: 50 });
    const all = names(rules).map(normaliseMerchantName);
    for (const name of [...all, ...all]) expect(remembered(name), name).toBe(plain(name));
  });
  const categorise = merchantCategoriser(loadMerchantTable());
  it("uses the reference table in the repo", () => {
    expect(categorise("AMAZON MKTP EU")).toBe("retail");
    expect(categorise("UBER EATS LONDON")).toBe("restaurants");
    expect(categorise("UBER TRIP")).toBe("transport");
    expect(categorise("M1979787155")).toBe("paysim_merchant");
    expect(categorise("C1231006815")).toBe("transfer");
    expect(categorise("CORNER SHOP 42")).toBe(UNKNOWN_CATEGORY);
  });
  it("applies the first matching rule", () => {
    const custom = merchantCategoriser({
      rules: [
        { prefix: "AB", category: "a" },
        { contains: "B", category: "b" },
      ],
    });
    expect(custom("ABC")).toBe("a");
    expect(custom("XBX")).toBe("b");
  });
});
