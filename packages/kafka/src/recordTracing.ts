// Trace context across a Kafka hop: a CONSUMER `process <topic>` span per record, child of the span its
// `traceparent` header names and linked to it too (the conventions' link between producer and consumer,
// which views that ignore parentage still follow), and that span's traceparent on every record it
// produces. Everything here returns at once when tracing is off.
import {
  contextFromHeaders,
  endSpan,
  kafkaSpanAttributes,
  linkFromHeaders,
  messagingSpanName,
  SpanKind,
  type StartedSpan,
  startSpan,
  traceHeaders,
  tracingEnabled,
} from "@ledgerline/observability";
import type { ConsumedRecord } from "./BatchReader.ts";

/** The record's CONSUMER span `process <topic>`, for the consumer group that reads it. */
export const startRecordSpan = (consumerGroup: string, record: ConsumedRecord): StartedSpan | undefined => {
  if (!tracingEnabled()) return undefined;
  const link = linkFromHeaders(record.headers);
  return startSpan(messagingSpanName("process", record.topic), contextFromHeaders(record.headers), {
    kind: SpanKind.CONSUMER,
    attributes: kafkaSpanAttributes("process", {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      consumerGroup,
    }),
    ...(link ? { links: [link] } : {}),
  });
};

/** The output's headers plus the record span's traceparent (unchanged when tracing is off). */
export const withTraceparent = (
  headers: Readonly<Record<string, string>> | undefined,
  span: StartedSpan | undefined,
  value: unknown,
): Readonly<Record<string, string>> | undefined => {
  if (!span) return headers;
  const id = transactionIdOf(value);
  if (id) span.span.setAttribute("ledgerline.transaction_id", id);
  return { ...headers, ...traceHeaders(span.context) };
};

/** The transaction id of a decoded/produced value, when it has one (for spans and log lines). */
export const transactionIdOf = (value: unknown): string | undefined => {
  const id = (value as { transaction_id?: unknown } | null)?.transaction_id;
  return typeof id === "string" ? id : undefined;
};

export { endSpan as endRecordSpan };
