// Spans for the ledger write (tracing on only): one CONSUMER `process <topic>` span per record, child of
// the span its `traceparent` header names (so a POST's trace reaches its ledger row), and one batch span
// linking them.
import { type ConsumedRecord, startRecordSpan } from "@ledgerline/kafka";
import {
  contextFromHeaders,
  endSpan,
  kafkaSpanAttributes,
  messagingSpanName,
  ROOT_CONTEXT,
  SpanKind,
  type StartedSpan,
  startSpan,
  TRACEPARENT,
  traceHeaders,
  tracingEnabled,
} from "@ledgerline/observability";

export interface TracedBatch {
  /** Ends every span of the batch (after the Postgres transaction and the offset commit). */
  end(error?: unknown): void;
  /** The traceparent of the record's span (the outbox keeps it, so the events it publishes continue it). */
  traceparentOf(record: ConsumedRecord): string | null;
}

/** The traceparent a record arrived with (what the outbox keeps when tracing is off here). */
export const headerTraceparent = (record: ConsumedRecord): string | null =>
  record.headers.get(TRACEPARENT)?.toString() ?? null;

export const traceSinkBatch = (
  consumerGroup: string,
  records: readonly ConsumedRecord[],
): TracedBatch | undefined => {
  if (!tracingEnabled()) return undefined;
  const spans: (StartedSpan | undefined)[] = records.map((record) => startRecordSpan(consumerGroup, record));
  const batch = startSpan("ledger-sink write batch", ROOT_CONTEXT, {
    attributes: { "messaging.batch.message_count": records.length },
    // The SDK keeps the first 128 links: enough to find the traces a batch carried.
    links: spans.flatMap((s) => (s ? [{ context: s.span.spanContext() }] : [])).slice(0, 128),
  });
  const byRecord = new Map(records.map((record, i) => [record, spans[i]]));
  return {
    end: (error) => {
      for (const span of spans) endSpan(span, error);
      endSpan(batch, error);
    },
    traceparentOf: (record) => {
      const span = byRecord.get(record);
      return span ? (traceHeaders(span.context)[TRACEPARENT] ?? null) : headerTraceparent(record);
    },
  };
};

interface OutboxMessage {
  readonly topic: string;
  readonly key: string;
  readonly headers?: Readonly<Record<string, Buffer>> | undefined;
}

export interface TracedSends<M> {
  /** The messages, each carrying its send span's traceparent instead of the ledger write's. */
  readonly messages: M[];
  /** Ends every send span (after the Kafka commit, or with the error that stopped it). */
  end(error?: unknown): void;
}

/** The relay's PRODUCER spans `send <topic>`, one per event, children of the ledger write its row names. */
export const traceOutboxSends = <M extends OutboxMessage>(messages: M[]): TracedSends<M> | undefined => {
  if (!tracingEnabled()) return undefined;
  const spans = messages.map((m) =>
    startSpan(
      messagingSpanName("send", m.topic),
      contextFromHeaders(m.headers ? new Map(Object.entries(m.headers)) : undefined),
      { kind: SpanKind.PRODUCER, attributes: kafkaSpanAttributes("send", { topic: m.topic, key: m.key }) },
    ),
  );
  return {
    messages: messages.map((m, i) => {
      const span = spans[i];
      if (!span) return m;
      const headers: Record<string, Buffer> = { ...m.headers };
      for (const [name, value] of Object.entries(traceHeaders(span.context)))
        headers[name] = Buffer.from(value);
      return { ...m, headers };
    }),
    end: (error) => {
      for (const span of spans) endSpan(span, error);
    },
  };
};
