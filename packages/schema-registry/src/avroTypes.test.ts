import avro from "avsc";
import { describe, expect, it } from "vitest";
import { avroType } from "./avroTypes.ts";

// The hex-string implementation the arithmetic one replaced: the reference for its bytes.
const referenceTwosComplement = (value: bigint): Buffer => {
  let hex = BigInt.asUintN(8 * 32, value)
    .toString(16)
    .padStart(64, "0");
  while (hex.length > 2) {
    const head = hex.slice(0, 2);
    const nextHighBit = Number.parseInt(hex[2]!, 16) >= 8;
    if ((head === "00" && !nextHighBit) || (head === "ff" && nextHighBit)) hex = hex.slice(2);
    else break;
  }
  return Buffer.from(hex, "hex");
};

const bytes = avro.Type.forSchema("bytes");
const decimal = avroType({ type: "bytes", logicalType: "decimal", precision: 76, scale: 0 } as avro.Schema);

/** Powers of two and their neighbours on both sides of zero, up to 2^260, plus a spread of others. */
const samples = (): bigint[] => {
  const values = new Set<bigint>([0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, -256n, -257n]);
  for (let bit = 0n; bit <= 260n; bit++) {
    const power = 1n << bit;
    for (const v of [power - 1n, power, power + 1n]) {
      values.add(v);
      values.add(-v);
    }
  }
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 2000; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    const v = x >> BigInt(i % 64);
    values.add(v);
    values.add(-v);
    values.add(v * 1_000_000_000_000n);
  }
  return [...values];
};

describe("decimal bytes (two's complement)", () => {
  it("encodes every value to the same bytes as the hex-string implementation", () => {
    for (const value of samples()) {
      expect(decimal.toBuffer(value.toString()), String(value)).toEqual(
        bytes.toBuffer(referenceTwosComplement(value)),
      );
    }
  });

  it("decodes what it encodes, within 256 bits", () => {
    for (const value of samples()) {
      if (value >= 1n << 255n || value < -(1n << 255n)) continue;
      expect(decimal.fromBuffer(decimal.toBuffer(value.toString())), String(value)).toBe(value.toString());
    }
  });

  it("uses the fewest bytes: 0, -1, 127, 128, -128, -129", () => {
    const raw = (value: bigint) => bytes.fromBuffer(decimal.toBuffer(value.toString())) as Buffer;
    expect(raw(0n)).toEqual(Buffer.from([0x00]));
    expect(raw(-1n)).toEqual(Buffer.from([0xff]));
    expect(raw(127n)).toEqual(Buffer.from([0x7f]));
    expect(raw(128n)).toEqual(Buffer.from([0x00, 0x80]));
    expect(raw(-128n)).toEqual(Buffer.from([0x80]));
    expect(raw(-129n)).toEqual(Buffer.from([0xff, 0x7f]));
  });

  it("decodes the empty byte string as 0", () => {
    expect(decimal.fromBuffer(bytes.toBuffer(Buffer.alloc(0)))).toBe("0");
  });
});

describe("BigIntLong", () => {
  // The per-value-buffer implementation the shared scratch buffer replaced.
  const referenceLong = avro.types.LongType.__with({
    fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
    toBuffer: (n: bigint) => {
      const buf = Buffer.alloc(8);
      buf.writeBigInt64LE(BigInt(n));
      return buf;
    },
    fromJSON: (json: unknown) => BigInt(json as number),
    toJSON: (n: bigint) => Number(n),
    isValid: (n: unknown) => typeof n === "bigint",
    compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
  });
  const schema = {
    type: "record",
    name: "Pair",
    fields: [
      { name: "a", type: "long" },
      { name: "b", type: { type: "array", items: "long" } },
    ],
  } as avro.Schema;
  const ours = avroType(schema);
  const theirs = avro.Type.forSchema(schema, { typeHook: (s) => (s === "long" ? referenceLong : undefined) });

  it("encodes longs (several per record) to the same bytes as before, and back", () => {
    const longs = samples().filter((v) => v >= -(1n << 63n) && v < 1n << 63n);
    for (let i = 0; i + 2 < longs.length; i += 3) {
      const value = { a: longs[i]!, b: [longs[i + 1]!, longs[i + 2]!] };
      const encoded = ours.toBuffer(value);
      expect(encoded).toEqual(theirs.toBuffer(value));
      expect(ours.fromBuffer(encoded)).toEqual(value);
    }
  });
});
