// Avro ↔ JavaScript mappings that keep money exact: longs are bigint, decimals are strings.
import avro from "avsc";

/** avsc packs the 8 bytes of a long into the record at once and keeps nothing: one buffer serves all. */
const longScratch = Buffer.alloc(8);

/** Longs decode to bigint: amounts and offsets must never pass through a float. */
export const BigIntLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    longScratch.writeBigInt64LE(BigInt(n));
    return longScratch;
  },
  fromJSON: (json: unknown) => BigInt(json as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === "bigint",
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** timestamp-millis as Date. Its underlying long is avsc's plain one: milliseconds fit a double exactly. */
export class TimestampMillisType extends avro.types.LogicalType {
  override _fromValue(value: number | bigint): Date {
    return new Date(Number(value));
  }
  override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return value.getTime();
    return undefined;
  }
  override _resolve(type: avro.Type) {
    if (avro.Type.isType(type, "long", "logical:timestamp-millis")) return this._fromValue.bind(this);
    return undefined;
  }
}

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string into an unscaled integer at `scale`; rejects digits beyond the scale. */
export const parseDecimal = (text: string, scale: number): bigint => {
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
    throw new RangeError(`${text} has more than ${scale} decimal places`);
  }
  const unscaled = BigInt(whole! + fraction.slice(0, scale).padEnd(scale, "0"));
  return sign ? -unscaled : unscaled;
};

/** Formats an unscaled integer at `scale` as a decimal string (no exponent, no float). */
export const formatDecimal = (unscaled: bigint, scale: number): string => {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
};

/** Buffer.writeIntBE/readIntBE handle up to 6 bytes: such values convert through a number exactly. */
const MAX_INT_BYTES = 6;

/**
 * The fewest big-endian bytes (at least one) that hold `value` in two's complement, sign bit kept right;
 * values are taken modulo 2^256 as signed, as before. Arithmetic, no hex string (this runs per record).
 */
const toTwosComplement = (value: bigint): Buffer => {
  const signed = BigInt.asIntN(256, value);
  // n bytes hold [-2^(8n-1), 2^(8n-1)).
  let length = 1;
  let bound = 128n;
  while (signed >= bound || signed < -bound) {
    length++;
    bound <<= 8n;
  }
  const buf = Buffer.allocUnsafe(length);
  if (length <= MAX_INT_BYTES) {
    buf.writeIntBE(Number(signed), 0, length);
    return buf;
  }
  let rest = signed;
  for (let i = length - 1; i >= 0; i--) {
    buf[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return buf;
};

const fromTwosComplement = (buf: Buffer): bigint => {
  if (buf.length === 0) return 0n;
  if (buf.length <= MAX_INT_BYTES) return BigInt(buf.readIntBE(0, buf.length));
  return BigInt.asIntN(buf.length * 8, BigInt(`0x${buf.toString("hex")}`));
};

/** bytes-backed `decimal` as an exact decimal string, e.g. "1.084500000000". */
export class DecimalType extends avro.types.LogicalType {
  readonly scale: number;
  constructor(schema: avro.Schema, opts?: avro.ForSchemaOptions) {
    super(schema, opts);
    this.scale = (schema as { scale?: number }).scale ?? 0;
  }
  override _fromValue(buf: Buffer): string {
    return formatDecimal(fromTwosComplement(buf), this.scale);
  }
  override _toValue(value: unknown): Buffer | undefined {
    if (typeof value !== "string") return undefined;
    return toTwosComplement(parseDecimal(value, this.scale));
  }
  override _resolve(type: avro.Type) {
    if (avro.Type.isType(type, "logical:decimal") && (type as DecimalType).scale === this.scale) {
      // avsc reads with the writer's type first: ours has already made the bytes a decimal string (a
      // record written with another version of the schema resolves through here).
      return (value: Buffer | string) => (typeof value === "string" ? value : this._fromValue(value));
    }
    return undefined;
  }
}

/** Plain longs (not the base of a logical type) become BigIntLong. */
const bigintLongs = (schema: avro.Schema | string): avro.Type | undefined => {
  if (schema === "long") return BigIntLong;
  if (
    typeof schema === "object" &&
    (schema as { type?: unknown }).type === "long" &&
    !("logicalType" in schema)
  ) {
    return BigIntLong;
  }
  return undefined;
};

/**
 * Options for avsc's Type.forSchema, for every reader and writer type. A type hook rather than a
 * `registry` entry: avsc adds every named type to the registry object, so a shared one would clash.
 */
export const avroOptions: Partial<avro.ForSchemaOptions> = {
  typeHook: bigintLongs as avro.ForSchemaOptions["typeHook"],
  logicalTypes: { decimal: DecimalType, "timestamp-millis": TimestampMillisType },
};

export const avroType = (schema: avro.Schema): avro.Type => avro.Type.forSchema(schema, { ...avroOptions });
