import { type CurrencyCode, currencyExponents } from "@ledgerline/domain";
import { describe, expect, it } from "vitest";
import { convertMinor, divideHalfEven, formatRate, parseRate, pow10, RATE_SCALE } from "./fx.ts";

// convertMinor and formatRate as they were before their parses were remembered: the references.
const referenceConvert = (amountMinor: bigint, from: CurrencyCode, base: CurrencyCode, rate: string) =>
  divideHalfEven(
    amountMinor * parseRate(rate) * 10n ** BigInt(currencyExponents[base]),
    10n ** BigInt(RATE_SCALE + currencyExponents[from]),
  );
const referenceFormat = (text: string): string => {
  const digits = parseRate(text)
    .toString()
    .padStart(RATE_SCALE + 1, "0");
  return `${digits.slice(0, -RATE_SCALE)}.${digits.slice(-RATE_SCALE)}`;
};

describe("remembered rates", () => {
  const rates = ["1", "1.0845", "0.0000393", "2.659574", "0.006634", "123456.000000000001", "7.5"];
  const currencies = Object.keys(currencyExponents) as CurrencyCode[];
  const amounts = [1n, 3n, 5n, 999n, 10_000n, 123_456_789n, 9_007_199_254_740_993n];

  it("convert and format as the uncached versions do, every time", () => {
    for (let round = 0; round < 2; round++) {
      for (const rate of rates) {
        expect(formatRate(rate)).toBe(referenceFormat(rate));
        for (const from of currencies) {
          for (const amount of amounts) {
            expect(convertMinor(amount, from, "USD", rate)).toBe(referenceConvert(amount, from, "USD", rate));
            expect(convertMinor(amount, "JPY", from, rate)).toBe(referenceConvert(amount, "JPY", from, rate));
          }
        }
      }
    }
  });

  it("still reject a bad rate on every call (failures are not remembered)", () => {
    for (let round = 0; round < 2; round++) {
      expect(() => formatRate("1e-3")).toThrow(RangeError);
      expect(() => convertMinor(1n, "EUR", "USD", "-1.2")).toThrow(RangeError);
    }
  });

  it("pow10 is 10^n", () => {
    for (let n = 0; n <= 60; n++) expect(pow10(n)).toBe(10n ** BigInt(n));
  });
});

describe("divideHalfEven", () => {
  it("rounds ties to the even neighbour", () => {
    expect(divideHalfEven(5n, 2n)).toBe(2n); // 2.5 → 2
    expect(divideHalfEven(7n, 2n)).toBe(4n); // 3.5 → 4
    expect(divideHalfEven(25n, 10n)).toBe(2n);
    expect(divideHalfEven(35n, 10n)).toBe(4n);
  });
  it("rounds non-ties to the nearest", () => {
    expect(divideHalfEven(26n, 10n)).toBe(3n);
    expect(divideHalfEven(24n, 10n)).toBe(2n);
    expect(divideHalfEven(0n, 10n)).toBe(0n);
  });
});

describe("parseRate / formatRate", () => {
  it("keeps rates exact at scale 12", () => {
    expect(parseRate("1.0845")).toBe(1_084_500_000_000n);
    expect(formatRate("0.0000393")).toBe("0.000039300000");
    expect(formatRate("1")).toBe("1.000000000000");
  });
  it("rejects floats in disguise and negatives", () => {
    expect(() => parseRate("1e-3")).toThrow(RangeError);
    expect(() => parseRate("-1.2")).toThrow(RangeError);
    expect(() => parseRate("0.0000000000001")).toThrow(RangeError);
    expect(() => parseRate("0")).toThrow(RangeError);
  });
});

describe("convertMinor", () => {
  it("converts between exponents with half-even rounding", () => {
    // 100.00 EUR × 1.0845 = 108.45 USD
    expect(convertMinor(10_000n, "EUR", "USD", "1.0845")).toBe(10_845n);
    // 500 JPY × 0.006634 = 3.317 USD → 3.32
    expect(convertMinor(500n, "JPY", "USD", "0.006634")).toBe(332n);
    // 1.234 BHD × 2.659574 = 3.281914... USD → 3.28
    expect(convertMinor(1_234n, "BHD", "USD", "2.659574")).toBe(328n);
    // 0.01 EUR × 1.5 = 0.015 → tie → 0.02 (2 is even); 0.03 EUR × 1.5 = 0.045 → 0.04
    expect(convertMinor(1n, "EUR", "USD", "1.5")).toBe(2n);
    expect(convertMinor(3n, "EUR", "USD", "1.5")).toBe(4n);
    expect(convertMinor(5n, "EUR", "USD", "0.5")).toBe(2n); // 0.025 → 0.02
  });
  it("is exact for amounts beyond 2^53", () => {
    const big = 9_007_199_254_740_993n; // 2^53 + 1 cents
    expect(convertMinor(big, "USD", "USD", "1")).toBe(big);
    expect(convertMinor(big, "EUR", "USD", "2")).toBe(big * 2n);
  });
});
