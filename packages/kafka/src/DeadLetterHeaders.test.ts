import { describe, expect, it } from "vitest";
import type { DeadLetterEnvelope } from "./DeadLetter.ts";
import { DLQ_HEADERS, deadLetterHeaders, isDeadLetterHeader } from "./DeadLetterHeaders.ts";

const envelope: DeadLetterEnvelope = {
  transaction_id: null,
  stage: "processor",
  reason_code: "NOT_WIRE_FORMAT",
  error_class: "RegistryError",
  error_message: "not Confluent wire format: ünïcode kept",
  retryable: false,
  original_topic: "ns.transactions.requested",
  original_partition: 4,
  original_offset: 9_007_199_254_740_993n,
  original_timestamp: new Date(1_700_000_000_123),
  original_key: null,
  original_value: null,
  original_headers: {},
  attempts: 1,
  replay_count: 0,
  dead_lettered_at: new Date(0),
};

describe("deadLetterHeaders", () => {
  it("names the original record, stage, reason and error as Kafka Connect's DLQ does, as UTF-8 strings", () => {
    expect(deadLetterHeaders(envelope)).toEqual({
      "__connect.errors.topic": "ns.transactions.requested",
      "__connect.errors.partition": "4",
      "__connect.errors.offset": "9007199254740993",
      "__connect.errors.stage": "processor",
      "__connect.errors.exception.class.name": "RegistryError",
      "__connect.errors.exception.message": "not Confluent wire format: ünïcode kept",
      "ledgerline.dlq.reason": "NOT_WIRE_FORMAT",
    });
  });

  it("recognises its own headers and no others", () => {
    for (const name of Object.values(DLQ_HEADERS)) expect(isDeadLetterHeader(name)).toBe(true);
    for (const name of ["traceparent", "ledgerline-replay-count", "ledgerline-replay-id", "x-connect"])
      expect(isDeadLetterHeader(name)).toBe(false);
  });
});
