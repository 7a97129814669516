// Ledger sink entry point: config → database → sink pipeline (+ outbox relay fiber), under runStage.
// SIGTERM/SIGINT stop it gracefully: the batch in flight finishes or rolls back, connections close.
import { names } from "@ledgerline/catalogue";
import { parseBrokers } from "@ledgerline/kafka";
import { isConnectionTermination, LedgerDb } from "@ledgerline/ledger-db";
import { identifyProcess, loggingLayer } from "@ledgerline/observability";
import { runStage } from "@ledgerline/resilience";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { Effect, Layer, type Scope } from "effect";
import { SinkConfig } from "./Config.ts";
import { runOutboxRelay } from "./OutboxRelay.ts";
import { runSinkPipeline } from "./SinkPipeline.ts";
import { countRelayPublished, sinkMetricsEndpoint } from "./sinkMetrics.ts";

export const ledgerSink = Effect.gen(function* () {
  const config = yield* SinkConfig;
  const resolved = names(config.namespace);
  const codec = new RegistryCodec({ url: config.registryUrl, names: resolved });
  const connection = {
    bootstrapBrokers: parseBrokers(config.bootstrapServers),
    security: config.kafkaSecurity,
    clientId: `ledgerline-ledger-sink-${config.instanceId}`,
  };
  yield* Effect.logInfo("ledger-sink starting").pipe(
    Effect.annotateLogs({
      namespace: config.namespace,
      relay: config.relayEnabled,
      batchSize: config.batchSize,
    }),
  );
  const sink = runSinkPipeline({
    connection,
    names: resolved,
    codec,
    groupId: resolved.group("ledgerSink"),
    groupInstanceId: `${resolved.group("ledgerSink")}.${config.instanceId}`,
    instanceId: config.instanceId,
    batchSize: config.batchSize,
    batchWaitMs: config.batchWaitMs,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
  });
  const relay = runOutboxRelay({
    connection: { ...connection, clientId: `ledgerline-outbox-relay-${config.instanceId}` },
    names: resolved,
    codec,
    databaseUrl: config.databaseUrl,
    transactionalId: resolved.transactionalId("outboxRelay", config.instanceId),
    batchSize: config.relayBatchSize,
    pollMs: config.relayPollMs,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    afterPublish: async (count) => countRelayPublished(count),
  });
  yield* sinkMetricsEndpoint;
  yield* config.relayEnabled ? Effect.all([sink, relay], { concurrency: 2, discard: true }) : sink;
});

export const databaseLayer = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* SinkConfig;
    return LedgerDb.layer({ databaseUrl: config.databaseUrl, maximumPoolSize: config.poolSize });
  }),
);

export const runMain = (
  program: Effect.Effect<void, unknown, SinkConfig | LedgerDb | Scope.Scope>,
  service: string,
) => {
  const layers = Layer.provideMerge(databaseLayer, SinkConfig.layer);
  const identified = Effect.gen(function* () {
    identifyProcess(service, (yield* SinkConfig).instanceId);
    yield* program;
  });
  runStage(identified.pipe(Effect.scoped, Effect.provide(layers), Effect.provide(loggingLayer(service))), {
    service,
    // A Postgres restart can terminate a connection slonik had already let go of, outside any query.
    ignoreUncaught: isConnectionTermination,
  });
};

if (import.meta.main) runMain(ledgerSink, "ledger-sink");
