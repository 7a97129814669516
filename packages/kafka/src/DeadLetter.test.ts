import { describe, expect, it } from "vitest";
import type { ConsumedRecord } from "./BatchReader.ts";
import { deadLetterEnvelope, MAX_CARRIED_BYTES, REPLAY_COUNT_HEADER } from "./DeadLetter.ts";
import { RecordFailure } from "./RecordFailure.ts";

const record = (headers: Map<string, Buffer> = new Map()) =>
  ({
    topic: "ns.transactions.requested",
    partition: 4,
    offset: 9_007_199_254_740_993n,
    timestamp: 1_700_000_000_123n,
    key: "ACC-1",
    value: Buffer.from("garbage"),
    headers,
  }) as unknown as ConsumedRecord;

describe("deadLetterEnvelope", () => {
  it("keeps the original coordinates, bytes and headers exactly", () => {
    const failure = RecordFailure.poison({
      code: "NOT_WIRE_FORMAT",
      errorClass: "RegistryError",
      message: "bad",
    });
    const now = new Date("2026-11-23T12:00:00Z");
    const envelope = deadLetterEnvelope(
      record(new Map([["trace", Buffer.from("abc")]])),
      failure.reason as never,
      {
        stage: "processor",
        attempts: 3,
        now,
      },
    );
    expect(envelope).toEqual({
      transaction_id: null,
      stage: "processor",
      reason_code: "NOT_WIRE_FORMAT",
      error_class: "RegistryError",
      error_message: "bad",
      retryable: false,
      original_topic: "ns.transactions.requested",
      original_partition: 4,
      original_offset: 9_007_199_254_740_993n,
      original_timestamp: new Date(1_700_000_000_123),
      original_key: Buffer.from("ACC-1"),
      original_value: Buffer.from("garbage"),
      original_headers: { trace: Buffer.from("abc") },
      attempts: 3,
      replay_count: 0,
      dead_lettered_at: now,
    });
  });

  it("carries the replay count forward from the replay header", () => {
    const failure = RecordFailure.poison({
      code: "X",
      errorClass: "E",
      message: "m",
      transactionId: "id",
      replayable: true,
    });
    const envelope = deadLetterEnvelope(
      record(new Map([[REPLAY_COUNT_HEADER, Buffer.from("2")]])),
      failure.reason as never,
      {
        stage: "dlq-replay",
        attempts: 1,
        now: new Date(),
      },
    );
    expect(envelope.replay_count).toBe(2);
    expect(envelope.transaction_id).toBe("id");
    expect(envelope.retryable).toBe(true);
  });
});

describe("RecordFailure", () => {
  it("is retryable only for transient reasons", () => {
    expect(RecordFailure.transient("REGISTRY_UNAVAILABLE", "down").retryable).toBe(true);
    expect(RecordFailure.poison({ code: "X", errorClass: "E", message: "m" }).retryable).toBe(false);
  });

  it("leaves out an original too large to fit in an envelope, and says where to find it", () => {
    const failure = RecordFailure.poison({
      code: "MALFORMED_PAYLOAD",
      errorClass: "RegistryError",
      message: "bad",
    });
    const huge = { ...record(), value: Buffer.alloc(MAX_CARRIED_BYTES + 1) } as ConsumedRecord;
    const envelope = deadLetterEnvelope(huge, failure.reason as never, {
      stage: "processor",
      attempts: 1,
      now: new Date(),
    });
    expect(envelope.original_value).toBeNull();
    expect(envelope.original_key).toBeNull();
    expect(envelope.error_message).toMatch(
      /^original value and headers \(\d+ bytes\) not carried.*ns\.transactions\.requested\[4\]@9007199254740993.*; bad$/,
    );
  });
});
