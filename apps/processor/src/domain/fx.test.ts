import { describe, expect, it } from "vitest";
import { convertMinor, divideHalfEven, formatRate, parseRate } from "./fx.ts";

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
