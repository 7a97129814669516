// Pure helpers of the peer benchmarks: reading an output's transaction id, medians and percentiles, tables.

/**
 * The transaction id of a record in the Confluent wire format (magic byte 0, 4-byte schema id) whose Avro
 * record starts with a string field, as every transactions.* value does (transaction_id): a zig-zag varint
 * length, then UTF-8. Reading only this keeps the benchmark's own consumer cheap beside the stage measured.
 */
export const transactionIdOf = (value: Buffer): string => {
  if (value.length < 6 || value[0] !== 0) throw new Error("not in the Confluent wire format");
  let zigzag = 0;
  let shift = 0;
  let offset = 5;
  for (;;) {
    const byte = value[offset++];
    if (byte === undefined || shift > 28) throw new Error("truncated Avro string length");
    zigzag |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  const length = (zigzag >>> 1) ^ -(zigzag & 1);
  if (length < 0 || offset + length > value.length) throw new Error("bad Avro string length");
  return value.toString("utf8", offset, offset + length);
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Nearest-rank percentile, p in [0, 1]. */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
};

/** Progress seen at a time: `count` items done at `at` (ms). */
export interface Progress {
  readonly at: number;
  readonly count: number;
}

/**
 * Items per second from the first sample with at least `fromCount` items done to the last sample; NaN when
 * no time passed between them. `fromCount` 1 times a whole drain (from the first output seen); a larger
 * one leaves out a warm-up (a fresh JVM's JIT, a first batch).
 */
export const rateFrom = (samples: readonly Progress[], fromCount: number): number => {
  const start = samples.find((sample) => sample.count >= fromCount);
  const end = samples.at(-1);
  if (!start || !end || end.at <= start.at) return Number.NaN;
  return (end.count - start.count) / ((end.at - start.at) / 1_000);
};

/** How many times each id occurs more than once, and which expected ids never occurred. */
export const exactlyOnce = (
  seen: readonly string[],
  expected: ReadonlySet<string>,
): { readonly duplicates: number; readonly missing: number; readonly unexpected: number } => {
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  let duplicates = 0;
  let unexpected = 0;
  for (const [id, count] of counts) {
    duplicates += count - 1;
    if (!expected.has(id)) unexpected++;
  }
  let missing = 0;
  for (const id of expected) if (!counts.has(id)) missing++;
  return { duplicates, missing, unexpected };
};

/** A Markdown table: a header row and rows of cells. */
export const markdownTable = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");

export const ratioText = (ours: number, theirs: number): string => `${((ours / theirs) * 100).toFixed(0)}%`;
