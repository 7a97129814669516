// Trace context across a Kafka hop for the exactly-once runner: a CONSUMER span per record, child of the
// span named by its `traceparent` header, and that span's traceparent on every record it produces.
// Everything here returns at once when tracing is off.
import {
  contextFromHeaders,
  endSpan,
  SpanKind,
  type StartedSpan,
  startSpan,
  traceHeaders,
  tracingEnabled,
} from "@ledgerline/observability";
import type { ConsumedRecord } from "./BatchReader.ts";

/** The record's CONSUMER span, named `<stage> <operation>` (the sink writes, the processor processes). */
export const startRecordSpan = (
  stage: string,
  record: ConsumedRecord,
  operation = "process",
): StartedSpan | undefined =>
  tracingEnabled()
    ? startSpan(`${stage} ${operation}`, contextFromHeaders(record.headers), {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "kafka",
          "messaging.destination.name": record.topic,
          "messaging.destination.partition.id": String(record.partition),
          "messaging.kafka.offset": Number(record.offset),
        },
      })
    : undefined;

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
