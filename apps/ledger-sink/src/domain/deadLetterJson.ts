// A dead-letter envelope as outbox JSON and back: bytes base64, offsets as strings, times ISO. The sink
// writes the envelopes it raises into the outbox; the relay publishes them to the DLQ after the commit.
import type { DeadLetterEnvelope } from "@ledgerline/kafka";

const bytes = (buffer: Buffer | null) => (buffer ? buffer.toString("base64") : null);
const buffer = (text: unknown) => (typeof text === "string" ? Buffer.from(text, "base64") : null);

export const deadLetterToJson = (envelope: DeadLetterEnvelope): Record<string, unknown> => ({
  ...envelope,
  original_offset: envelope.original_offset.toString(),
  original_timestamp: envelope.original_timestamp.toISOString(),
  original_key: bytes(envelope.original_key),
  original_value: bytes(envelope.original_value),
  original_headers: Object.fromEntries(
    Object.entries(envelope.original_headers).map(([name, value]) => [name, value.toString("base64")]),
  ),
  dead_lettered_at: envelope.dead_lettered_at.toISOString(),
});

type EnvelopeJson = Omit<
  DeadLetterEnvelope,
  | "original_offset"
  | "original_timestamp"
  | "original_key"
  | "original_value"
  | "original_headers"
  | "dead_lettered_at"
> & {
  original_offset: string;
  original_timestamp: string;
  original_key: string | null;
  original_value: string | null;
  original_headers: Record<string, string>;
  dead_lettered_at: string;
};

export const deadLetterFromJson = (json: Record<string, unknown>): DeadLetterEnvelope => {
  const value = json as unknown as EnvelopeJson;
  return {
    transaction_id: value.transaction_id ?? null,
    stage: value.stage,
    reason_code: value.reason_code,
    error_class: value.error_class,
    error_message: value.error_message,
    retryable: value.retryable,
    original_topic: value.original_topic,
    original_partition: value.original_partition,
    original_offset: BigInt(value.original_offset),
    original_timestamp: new Date(value.original_timestamp),
    original_key: buffer(value.original_key),
    original_value: buffer(value.original_value),
    original_headers: Object.fromEntries(
      Object.entries(value.original_headers ?? {}).map(([name, text]) => [name, Buffer.from(text, "base64")]),
    ),
    attempts: value.attempts,
    replay_count: value.replay_count,
    dead_lettered_at: new Date(value.dead_lettered_at),
  };
};
