// The ledger sink's two programs (the sink, with the outbox relay as a fiber unless
// OUTBOX_RELAY_ENABLED=false, and the relay alone) on the services their Config describes. The entries
// (main.ts, relay.ts) hand them to the launcher.
import { type Names, names } from "@ledgerline/catalogue";
import { type KafkaConnection, parseBrokers } from "@ledgerline/kafka";
import { LedgerDb } from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { Effect, Layer, Redacted } from "effect";
import { SinkConfig, type SinkSettings } from "./Config.ts";
import { type OutboxRelayOptions, runOutboxRelay } from "./OutboxRelay.ts";
import { runSinkPipeline } from "./SinkPipeline.ts";
import { countRelayPublished, sinkMetricsEndpoint } from "./sinkMetrics.ts";

const connectionOf = (config: SinkSettings, clientId: string): KafkaConnection => ({
  bootstrapBrokers: parseBrokers(config.bootstrapServers),
  security: config.kafkaSecurity,
  clientId,
});

/** The relay's options, the same whether it runs inside the sink or as its own process. */
export const relayOptions = (
  config: SinkSettings,
  resolved: Names,
  codec: RegistryCodec,
): OutboxRelayOptions => ({
  connection: connectionOf(config, `ledgerline-outbox-relay-${config.instanceId}`),
  names: resolved,
  codec,
  databaseUrl: Redacted.value(config.databaseUrl),
  transactionalId: resolved.transactionalId("outboxRelay", config.instanceId),
  batchSize: config.relayBatchSize,
  pollMs: config.relayPollMs,
  retryBaseMs: config.retryBaseMs,
  retryMaxMs: config.retryMaxMs,
  afterPublish: async (count) => countRelayPublished(count),
});

export const ledgerSink = Effect.gen(function* () {
  const config = yield* SinkConfig;
  const resolved = names(config.namespace);
  const codec = new RegistryCodec({ url: Redacted.value(config.registryUrl), names: resolved });
  yield* Effect.logInfo("ledger-sink starting").pipe(
    Effect.annotateLogs({
      namespace: config.namespace,
      relay: config.relayEnabled,
      batchSize: config.batchSize,
    }),
  );
  const sink = runSinkPipeline({
    connection: connectionOf(config, `ledgerline-ledger-sink-${config.instanceId}`),
    names: resolved,
    codec,
    groupId: resolved.group("ledgerSink"),
    groupInstanceId: `${resolved.group("ledgerSink")}.${config.instanceId}`,
    instanceId: config.instanceId,
    batchSize: config.batchSize,
    batchWaitMs: config.batchWaitMs,
    fetchMaxWaitMs: config.fetchMaxWaitMs,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
  });
  const relay = runOutboxRelay(relayOptions(config, resolved, codec));
  yield* sinkMetricsEndpoint;
  yield* config.relayEnabled ? Effect.all([sink, relay], { concurrency: 2, discard: true }) : sink;
});

export const outboxRelay = Effect.gen(function* () {
  const config = yield* SinkConfig;
  const resolved = names(config.namespace);
  // /metrics, /health, /ready on LEDGER_SINK_METRICS_PORT, as the sink serves them.
  yield* sinkMetricsEndpoint;
  yield* runOutboxRelay(
    relayOptions(
      config,
      resolved,
      new RegistryCodec({ url: Redacted.value(config.registryUrl), names: resolved }),
    ),
  );
});

export const databaseLayer = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* SinkConfig;
    return LedgerDb.layer({
      databaseUrl: Redacted.value(config.databaseUrl),
      maximumPoolSize: config.poolSize,
    });
  }),
);

/** SinkConfig and the ledger database, for either program. */
const sinkServices = Layer.provideMerge(databaseLayer, SinkConfig.layer);

/** What the entries hand to the launcher: each program on its services. Scoped inside them, so the
 *  program's own finalizers (its Kafka clients) run before the database pool closes. */
export const ledgerSinkService = ledgerSink.pipe(Effect.scoped, Effect.provide(sinkServices));
export const outboxRelayService = outboxRelay.pipe(Effect.scoped, Effect.provide(sinkServices));
