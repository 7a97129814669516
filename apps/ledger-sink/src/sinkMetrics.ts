// The ledger sink's Prometheus metrics: per-batch counters, Postgres transaction timing, the outbox backlog
// sampler, and GET /metrics (LEDGER_SINK_METRICS_PORT) with the consumer-lag sampler of every pipeline group.
import { parseBrokers } from "@ledgerline/kafka";
import { LedgerDb, sql } from "@ledgerline/ledger-db";
import { metrics, monitorConsumerLag, serveOpsEndpoints } from "@ledgerline/observability";
import { names } from "@ledgerline/topology";
import { Effect, Schedule } from "effect";
import { SinkConfig } from "./Config.ts";
import type { WriteResult } from "./LedgerWriter.ts";

const STAGE = "ledger-sink";

/** After a batch is stored: records consumed per topic, ledger rows by outcome, the batch size. */
export const countSinkBatch = (
  records: readonly { readonly topic: string }[],
  result: WriteResult,
  topicLabel: (topic: string) => string,
) => {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.topic, (counts.get(record.topic) ?? 0) + 1);
  for (const [topic, n] of counts) metrics.recordsConsumed.inc({ stage: STAGE, topic: topicLabel(topic) }, n);
  metrics.batchSize.observe({ stage: STAGE }, records.length);
  const outcomes = {
    posted: result.posted,
    rejected: result.rejected,
    dead_lettered: result.deadLettered,
    duplicate: result.duplicates,
    conflict: result.conflicts,
  };
  for (const [outcome, n] of Object.entries(outcomes)) if (n > 0) metrics.ledgerPosted.inc({ outcome }, n);
};

/** Dead letters the sink itself published, by reason code. */
export const countSinkDeadLetters = (reasons: readonly { readonly code: string }[]) => {
  for (const dead of reasons) metrics.deadLetters.inc({ stage: STAGE, reason: dead.code });
};

/** A batch attempt failed with a retryable error: count the retry and the dependency that failed. */
export const countSinkRetry = (error: { readonly _tag?: string; readonly message: string }) => {
  const reason = error._tag ?? "Unknown";
  const dependency =
    reason === "LedgerDbError" ? "database" : /registry/i.test(error.message) ? "registry" : "broker";
  metrics.retries.inc({ stage: STAGE, reason });
  metrics.dependencyErrors.inc({ dependency, kind: reason });
};

/** Times a Postgres transaction into ledgerline_postgres_transaction_duration_seconds. */
export const timedPostgres = <A, E, R>(operation: string, effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const started = performance.now();
    return effect.pipe(
      Effect.ensuring(
        Effect.sync(() =>
          metrics.postgresTransactionDuration.observe({ operation }, (performance.now() - started) / 1_000),
        ),
      ),
    );
  });

/** Outbox backlog and the age of its oldest unpublished event, sampled (an index-only scan) on a timer. */
const monitorOutbox = (intervalMs: number) =>
  Effect.gen(function* () {
    const db = yield* LedgerDb;
    const sample = db
      .use("sample outbox backlog", (pool) =>
        pool.one(sql.unsafe`
          SELECT count(*)::int AS backlog,
                 COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest_seconds
          FROM outbox WHERE published_at IS NULL`),
      )
      .pipe(
        Effect.tap((row) =>
          Effect.sync(() => {
            const typed = row as { backlog: number; oldest_seconds: number };
            metrics.outboxBacklog.set(typed.backlog);
            metrics.outboxOldestAge.set(typed.oldest_seconds);
          }),
        ),
        Effect.catch(() =>
          Effect.sync(() =>
            metrics.dependencyErrors.inc({ dependency: "database", kind: "OUTBOX_SAMPLE_FAILED" }),
          ),
        ),
      );
    yield* Effect.forkScoped(sample.pipe(Effect.repeat(Schedule.spaced(`${intervalMs} millis`))));
  });

export const sinkMetricsEndpoint = Effect.gen(function* () {
  const config = yield* SinkConfig;
  if (config.metricsPort === 0) return;
  const resolved = names(config.namespace);
  yield* serveOpsEndpoints({ service: STAGE, host: config.metricsHost, port: config.metricsPort });
  yield* monitorOutbox(config.lagIntervalMs);
  yield* monitorConsumerLag({
    bootstrapBrokers: parseBrokers(config.bootstrapServers),
    clientId: `ledgerline-ledger-sink-lag-${config.instanceId}`,
    groups: [
      { groupId: resolved.group("processor"), topics: [resolved.topic("requested")] },
      {
        groupId: resolved.group("ledgerSink"),
        topics: [resolved.topic("validated"), resolved.topic("rejected"), resolved.topic("dlq")],
      },
    ],
    topicLabel: (topic) => resolved.topicIdOf(topic) ?? topic,
    intervalMs: config.lagIntervalMs,
  });
});

/** For the outbox relay's afterPublish hook: one committed Kafka transaction of `count` posted events. */
export const countRelayPublished = (count: number) => {
  metrics.recordsProduced.inc({ stage: "outbox-relay", topic: "posted" }, count);
  metrics.kafkaTransactions.inc({ stage: "outbox-relay", outcome: "committed" });
  metrics.batchSize.observe({ stage: "outbox-relay" }, count);
};
