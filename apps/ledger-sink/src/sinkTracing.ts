// Spans for the ledger write (tracing on only): one CONSUMER `process <topic>` span per record, child of
// the span its `traceparent` header names (so a POST's trace reaches its ledger row), and one batch span
// linking them.
import { type ConsumedRecord, startRecordSpan } from "@ledgerline/kafka";
import {
  endSpan,
  ROOT_CONTEXT,
  type StartedSpan,
  startSpan,
  type TraceContext,
  tracingEnabled,
} from "@ledgerline/observability";

export interface TracedBatch {
  /** Ends every span of the batch (after the Postgres transaction and the offset commit). */
  end(error?: unknown): void;
  /** The record span's context at `index` (the outbox keeps it for transactions.posted). */
  contextAt(index: number): TraceContext | undefined;
}

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
  return {
    end: (error) => {
      for (const span of spans) endSpan(span, error);
      endSpan(batch, error);
    },
    contextAt: (index) => spans[index]?.context,
  };
};
