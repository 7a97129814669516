// The outbox relay as its own process (the sink runs it as a fiber unless OUTBOX_RELAY_ENABLED=false).
import { names } from "@ledgerline/catalogue";
import { parseBrokers } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { Effect } from "effect";
import { SinkConfig } from "./Config.ts";
import { runMain } from "./main.ts";
import { runOutboxRelay } from "./OutboxRelay.ts";
import { countRelayPublished, sinkMetricsEndpoint } from "./sinkMetrics.ts";

export const outboxRelay = Effect.gen(function* () {
  const config = yield* SinkConfig;
  const resolved = names(config.namespace);
  // /metrics, /health, /ready on LEDGER_SINK_METRICS_PORT, as the sink serves them.
  yield* sinkMetricsEndpoint;
  yield* runOutboxRelay({
    connection: {
      bootstrapBrokers: parseBrokers(config.bootstrapServers),
      security: config.kafkaSecurity,
      clientId: `ledgerline-outbox-relay-${config.instanceId}`,
    },
    names: resolved,
    codec: new RegistryCodec({ url: config.registryUrl, names: resolved }),
    databaseUrl: config.databaseUrl,
    transactionalId: resolved.transactionalId("outboxRelay", config.instanceId),
    batchSize: config.relayBatchSize,
    pollMs: config.relayPollMs,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    afterPublish: async (count) => countRelayPublished(count),
  });
});

if (import.meta.main) runMain(outboxRelay, "outbox-relay");
