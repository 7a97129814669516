// The dead-letter envelope (schemas/avro/DeadLetter.avsc) built from the consumed record and its failure.

import type { DeadLetter } from "@ledgerline/contracts";
import type { ConsumedRecord } from "./BatchReader.ts";
import type { PoisonRecord } from "./RecordFailure.ts";

/** The DLQ record's value: the type generated from schemas/avro/DeadLetter.avsc (`npm run gen:avro`). */
export type DeadLetterEnvelope = DeadLetter;

/** Header a DLQ replay sets on records it re-publishes, so a second failure counts up. */
export const REPLAY_COUNT_HEADER = "ledgerline-replay-count";

/**
 * Bytes of the original record (key + value + headers) an envelope carries at most. The broker's default
 * max message size is 1 MiB: an envelope over it could never be produced and would stall its partition,
 * so a larger original is left out (the envelope still names its topic, partition and offset).
 */
export const MAX_CARRIED_BYTES = 900 * 1024;

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
  const key = asBuffer(record.key);
  const value = asBuffer(record.value);
  let carried = (key?.length ?? 0) + (value?.length ?? 0);
  for (const name in headers) carried += name.length + (headers[name] as Buffer).length;
  const tooLarge = carried > MAX_CARRIED_BYTES;
  const omitted = tooLarge
    ? `original value and headers (${carried} bytes) not carried, over ${MAX_CARRIED_BYTES}: read them at ` +
      `${record.topic}[${record.partition}]@${record.offset} while retained; `
    : "";
  return {
    transaction_id: failure.transactionId,
    stage: context.stage,
    reason_code: failure.code,
    error_class: failure.errorClass,
    error_message: `${omitted}${failure.message}`.slice(0, 4_000),
    retryable: failure.replayable,
    original_topic: record.topic,
    original_partition: record.partition,
    original_offset: record.offset,
    original_timestamp: new Date(Number(record.timestamp)),
    original_key: tooLarge ? null : key,
    original_value: tooLarge ? null : value,
    original_headers: tooLarge ? {} : headers,
    attempts: context.attempts,
    replay_count: Number.isInteger(replayed) && replayed > 0 ? replayed : 0,
    dead_lettered_at: context.now,
  };
};
