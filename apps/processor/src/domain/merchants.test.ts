import { describe, expect, it } from "vitest";
import {
  loadMerchantTable,
  merchantCategoriser,
  normaliseMerchantName,
  UNKNOWN_CATEGORY,
} from "./merchants.ts";

describe("normaliseMerchantName", () => {
  it("trims, collapses whitespace, removes control characters and upper-cases", () => {
    expect(normaliseMerchantName("  Amazon\tMktp\u0000 EU  ")).toBe("AMAZON MKTP EU");
    expect(normaliseMerchantName("ｓｔａｒｂｕｃｋｓ")).toBe("STARBUCKS");
    expect(normaliseMerchantName(" \n ")).toBe("");
  });
});

describe("merchantCategoriser", () => {
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
