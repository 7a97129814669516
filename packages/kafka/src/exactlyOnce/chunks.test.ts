// How a transaction's outputs are cut into produce requests: by bytes, in order, never an empty chunk.
import { describe, expect, it } from "vitest";
import { chunksOf, SEND_CHUNK_BYTES } from "./commitBatch.ts";
import type { EncodedMessage } from "./types.ts";

const message = (n: number, valueBytes: number): EncodedMessage => ({
  topic: "validated",
  key: `ACC-${n}`,
  value: Buffer.alloc(valueBytes),
  headers: { "ledgerline-txn": Buffer.from("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/2000") },
});

describe("chunksOf", () => {
  it("sends a batch under the chunk size in one request", () => {
    const batch = Array.from({ length: 1_000 }, (_, n) => message(n, 200));
    expect(chunksOf(batch)).toEqual([batch]);
  });

  it("cuts under the chunk size, keeping the order, and a message larger than that goes alone", () => {
    const batch = [
      ...Array.from({ length: 5_000 }, (_, n) => message(n, 400)),
      message(5_000, SEND_CHUNK_BYTES + 1),
      message(5_001, 100),
    ];
    const chunks = chunksOf(batch);
    expect(chunks.flat()).toEqual(batch);
    expect(chunks.every((chunk) => chunk.length > 0)).toBe(true);
    const bytes = (chunk: EncodedMessage[]) => chunk.reduce((sum, m) => sum + (m.value?.length ?? 0), 0);
    for (const chunk of chunks) if (chunk.length > 1) expect(bytes(chunk)).toBeLessThan(SEND_CHUNK_BYTES);
    expect(chunks.find((chunk) => chunk.includes(batch[5_000]!))).toEqual([batch[5_000]]);
  });

  it("has nothing to send for no outputs", () => {
    expect(chunksOf([])).toEqual([]);
  });
});
