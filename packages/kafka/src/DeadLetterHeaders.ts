// Plain Kafka headers on every DLQ record, so Kafka UIs and Connect-style tools can read why a record was
// dead-lettered without our Avro decoder. Named as Kafka Connect's DeadLetterQueueReporter names them; the
// Avro envelope stays the record's value and the source of truth.
import type { DeadLetterEnvelope } from "./DeadLetter.ts";

/** Connect's prefix (DeadLetterQueueReporter.HEADER_PREFIX) and our own, for what Connect has no name for. */
const CONNECT_PREFIX = "__connect.errors.";
const OWN_PREFIX = "ledgerline.dlq.";

/** Every header a DLQ record carries besides traceparent; values are UTF-8 strings, as Connect writes them. */
export const DLQ_HEADERS = {
  topic: `${CONNECT_PREFIX}topic`,
  partition: `${CONNECT_PREFIX}partition`,
  offset: `${CONNECT_PREFIX}offset`,
  stage: `${CONNECT_PREFIX}stage`,
  exceptionClass: `${CONNECT_PREFIX}exception.class.name`,
  exceptionMessage: `${CONNECT_PREFIX}exception.message`,
  /** No Connect equivalent: our machine-readable reason code (NOT_WIRE_FORMAT, UNKNOWN_SCHEMA, ...). */
  reason: `${OWN_PREFIX}reason`,
} as const;

/** Whether a header describes a dead-lettering (a replay must not carry it onto the replayed record). */
export const isDeadLetterHeader = (name: string): boolean =>
  name.startsWith(CONNECT_PREFIX) || name.startsWith(OWN_PREFIX);

/** The DLQ record's headers, all read from its envelope (so every producer of dead letters agrees). */
export const deadLetterHeaders = (envelope: DeadLetterEnvelope): Record<string, string> => ({
  [DLQ_HEADERS.topic]: envelope.original_topic,
  [DLQ_HEADERS.partition]: String(envelope.original_partition),
  [DLQ_HEADERS.offset]: envelope.original_offset.toString(),
  [DLQ_HEADERS.stage]: envelope.stage,
  [DLQ_HEADERS.exceptionClass]: envelope.error_class,
  [DLQ_HEADERS.exceptionMessage]: envelope.error_message,
  [DLQ_HEADERS.reason]: envelope.reason_code,
});
