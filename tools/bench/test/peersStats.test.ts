import { describe, expect, it } from "vitest";
import {
  exactlyOnce,
  markdownTable,
  median,
  percentile,
  rateFrom,
  transactionIdOf,
} from "../src/peers/stats.ts";

/** A wire-format value whose Avro record starts with the string `id`. */
const wire = (id: string, rest = Buffer.from([0x02, 0x41])) => {
  const bytes = Buffer.from(id, "utf8");
  const length: number[] = [];
  let zigzag = bytes.length * 2;
  while (zigzag >= 0x80) {
    length.push((zigzag & 0x7f) | 0x80);
    zigzag >>>= 7;
  }
  length.push(zigzag);
  return Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), Buffer.from(length), bytes, rest]);
};

describe("transactionIdOf", () => {
  it("reads the first Avro string after the wire-format header", () => {
    expect(transactionIdOf(wire("4f1c9a52-6a0e-4d43-9a51-0b8f3f2b7c11"))).toBe(
      "4f1c9a52-6a0e-4d43-9a51-0b8f3f2b7c11",
    );
    const long = "x".repeat(300); // a two-byte varint length
    expect(transactionIdOf(wire(long))).toBe(long);
  });

  it("refuses other formats and truncated values", () => {
    expect(() => transactionIdOf(Buffer.from([1, 0, 0, 0, 1, 2, 65]))).toThrow(/wire format/);
    expect(() => transactionIdOf(wire("abcdef").subarray(0, 8))).toThrow(/length/);
  });
});

describe("median and percentile", () => {
  it("takes the middle, or the mean of the two middles", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it("uses the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile(values, 1)).toBe(100);
    expect(percentile([7], 0.99)).toBe(7);
  });
});

describe("rateFrom", () => {
  const samples = [
    { at: 1_000, count: 100 },
    { at: 2_000, count: 300 },
    { at: 3_000, count: 1_300 },
    { at: 4_000, count: 2_300 },
  ];
  it("counts from the first sample reaching fromCount to the last", () => {
    expect(rateFrom(samples, 1)).toBe(2_200 / 3);
    expect(rateFrom(samples, 1_000)).toBe(1_000);
  });
  it("is NaN without two distinct times", () => {
    expect(rateFrom([{ at: 5, count: 10 }], 1)).toBeNaN();
    expect(rateFrom(samples, 5_000)).toBeNaN();
    expect(rateFrom([], 1)).toBeNaN();
  });
});

describe("exactlyOnce", () => {
  it("counts duplicates, missing and unexpected ids", () => {
    expect(exactlyOnce(["a", "b", "b", "b", "z"], new Set(["a", "b", "c"]))).toEqual({
      duplicates: 2,
      missing: 1,
      unexpected: 1,
    });
    expect(exactlyOnce(["a", "b"], new Set(["a", "b"]))).toEqual({
      duplicates: 0,
      missing: 0,
      unexpected: 0,
    });
  });
});

describe("markdownTable", () => {
  it("renders a header, a rule and rows", () => {
    expect(markdownTable(["a", "b"], [["1", "2"]])).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |");
  });
});
