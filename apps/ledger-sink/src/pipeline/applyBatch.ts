// The batch path, read top to bottom: decode (a registry outage is retried, an unreadable record becomes
// a dead letter) → write in one Postgres transaction (writeWithRefusals.ts) → after the commit: Kafka's
// offsets (for lag only), readiness, onBatch, the metrics and one log line.
import type { BatchReader, ConsumedRecord, RecordConsumer } from "@ledgerline/kafka";
import type { LedgerDb } from "@ledgerline/ledger-db";
import { retryTransient, type SessionProgress, type StageFault } from "@ledgerline/resilience";
import type { MessagesStream } from "@platformatic/kafka";
import { Effect } from "effect";
import { caughtUpPositions, offsetsToCommit } from "../commitPosition.ts";
import { decodeBatch } from "../decodeBatch.ts";
import { countSinkBatch, countSinkDeadLetters, observeAcceptToPosted } from "../sinkMetrics.ts";
import { traceSinkBatch } from "../sinkTracing.ts";
import { type Assignment, readingDetail, type SinkContext, topicLabel } from "./context.ts";
import { writeWithRefusals } from "./writeWithRefusals.ts";

/** Where a session reads from: its consumer, stream and the reader batching it. */
export interface SessionStream {
  readonly consumer: RecordConsumer;
  readonly stream: MessagesStream<string, Buffer, string, Buffer>;
  readonly reader: BatchReader;
}

export const applyBatch = (
  context: SinkContext,
  assignment: Assignment,
  source: SessionStream,
  records: readonly ConsumedRecord[],
  progress: SessionProgress,
): Effect.Effect<void, StageFault, LedgerDb> =>
  Effect.gen(function* () {
    const { options, health } = context;
    const started = Date.now();
    const traced = traceSinkBatch(options.groupId, records);
    const decoded = yield* decodeBatch(options.codec, options.names, records).pipe(
      retryTransient({ health, what: "ledger batch not decoded", ...context.retry }),
    );
    const { decisions, result } = yield* writeWithRefusals(
      context,
      assignment,
      decoded,
      traced?.traceparentOf,
    ).pipe(Effect.ensuring(Effect.sync(() => traced?.end())));
    // After the commit: Kafka's offsets (lag only; never for a blocked partition), metrics, one log line.
    const { blocked } = assignment;
    yield* commitKafka(
      source.consumer,
      records,
      blocked.size === 0 ? caughtUpPositions(source.reader, source.stream) : undefined,
    );
    health.ready(readingDetail(blocked.size));
    progress.made();
    options.onBatch?.(result);
    countSinkBatch(records, result, (topic) => topicLabel(context, topic));
    countSinkDeadLetters(decisions);
    observeAcceptToPosted(decisions);
    yield* Effect.logInfo("ledger-sink batch committed").pipe(
      Effect.annotateLogs({ records: records.length, ...result, durationMs: Date.now() - started }),
    );
  });

const commitKafka = (
  consumer: RecordConsumer,
  records: readonly ConsumedRecord[],
  caughtUp: ReadonlyMap<string, bigint> | undefined,
) =>
  Effect.tryPromise(() => consumer.commit({ offsets: offsetsToCommit(records, caughtUp) })).pipe(
    // Postgres holds the truth; Kafka's committed offsets only feed lag monitoring.
    Effect.catch((error) =>
      Effect.logDebug("kafka offset commit failed").pipe(Effect.annotateLogs({ error: String(error) })),
    ),
  );
