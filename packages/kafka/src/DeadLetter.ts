// The dead-letter envelope (schemas/avro/DeadLetter.avsc) built from the consumed record and its failure.

import type { ConsumedRecord } from "./BatchReader.ts";
import type { PoisonRecord } from "./RecordFailure.ts";

/** Mirrors DeadLetter.avsc (kept here so this package needs no dependency on the contracts). */
export interface DeadLetterEnvelope {
  transaction_id: string | null;
  stage: string;
  reason_code: string;
  error_class: string;
  error_message: string;
  retryable: boolean;
  original_topic: string;
  original_partition: number;
  original_offset: bigint;
  original_timestamp: Date;
  original_key: Buffer | null;
  original_value: Buffer | null;
  original_headers: Record<string, Buffer>;
  attempts: number;
  replay_count: number;
  dead_lettered_at: Date;
}

/** Header a DLQ replay sets on records it re-publishes, so a second failure counts up. */
export const REPLAY_COUNT_HEADER = "ledgerline-replay-count";

const asBuffer = (value: unknown): Buffer | null => {
  if (value === undefined || value === null) return null;
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(String(value), "utf8");
};

export const deadLetterEnvelope = (
  record: ConsumedRecord,
  failure: PoisonRecord,
  context: { stage: string; attempts: number; now: Date },
): DeadLetterEnvelope => {
  const headers: Record<string, Buffer> = {};
  for (const [key, value] of record.headers ?? []) {
    const buffer = asBuffer(value);
    if (buffer) headers[String(key)] = buffer;
  }
  const replayed = Number(headers[REPLAY_COUNT_HEADER]?.toString("utf8") ?? "0");
  return {
    transaction_id: failure.transactionId,
    stage: context.stage,
    reason_code: failure.code,
    error_class: failure.errorClass,
    error_message: failure.message.slice(0, 4_000),
    retryable: failure.replayable,
    original_topic: record.topic,
    original_partition: record.partition,
    original_offset: record.offset,
    original_timestamp: new Date(Number(record.timestamp)),
    original_key: asBuffer(record.key),
    original_value: asBuffer(record.value),
    original_headers: headers,
    attempts: context.attempts,
    replay_count: Number.isInteger(replayed) && replayed > 0 ? replayed : 0,
    dead_lettered_at: context.now,
  };
};
