// The ledger sink's Prometheus metrics: per-batch counters, Postgres transaction timing, the outbox backlog
// sampler, and GET /metrics (LEDGER_SINK_METRICS_PORT) with the consumer-lag sampler of every pipeline group.
import { names } from "@ledgerline/catalogue";
import { monitorConsumerLag, parseBrokers, securityOptions } from "@ledgerline/kafka";
import { LedgerDb, outboxBacklog } from "@ledgerline/ledger-db";
import { metrics, serveOpsEndpoints } from "@ledgerline/observability";
import { Effect, Schedule } from "effect";
import { SinkConfig } from "./Config.ts";
import type { RecordDecision } from "./domain/recordDecision.ts";
import type { WriteResult } from "./domain/writePlan.ts";

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

/** Accepted → posted, for each transaction this batch posted (its row carries the gateway's accepted_at). */
export const observeAcceptToPosted = (decisions: readonly RecordDecision[], committedAt = Date.now()) => {
  for (const decision of decisions) {
    if (decision._tag !== "Apply" || decision.entry.row.status !== "posted") continue;
    const accepted = decision.entry.row.accepted_at ? Date.parse(decision.entry.row.accepted_at) : Number.NaN;
    if (Number.isFinite(accepted))
      metrics.acceptToPosted.observe(Math.max(0, committedAt - accepted) / 1_000);
  }
};

/** Dead letters the sink itself raised (written to the outbox for the DLQ), by reason code. */
export const countSinkDeadLetters = (decisions: readonly RecordDecision[]) => {
  for (const decision of decisions) {
    const event = decision._tag === "DeadLetter" || decision._tag === "Conflict" ? decision.event : null;
    const reason = (event?.payload as { reason_code?: string } | undefined)?.reason_code;
    if (reason) metrics.deadLetters.inc({ stage: STAGE, reason });
  }
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
      .use("sample outbox backlog", (pool) => outboxBacklog(pool))
      .pipe(
        Effect.tap((typed) =>
          Effect.sync(() => {
            metrics.outboxBacklog.set(Number(typed.backlog));
            metrics.outboxParked.set(Number(typed.parked));
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
    security: securityOptions(config.kafkaSecurity),
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
