// GET /metrics for the processor (PROCESSOR_METRICS_PORT) and the consumer-lag sampler of every pipeline group:
// a stopped downstream stage cannot report its own lag, so the processor reports the sink's too.
import { names } from "@ledgerline/catalogue";
import { monitorConsumerLag, parseBrokers, securityOptions } from "@ledgerline/kafka";
import { serveOpsEndpoints } from "@ledgerline/observability";
import { Effect } from "effect";
import { ProcessorConfig } from "./Config.ts";

export const processorMetrics = Effect.gen(function* () {
  const config = yield* ProcessorConfig;
  if (!config.metricsPort) return;
  const resolved = names(config.namespace);
  yield* serveOpsEndpoints({
    service: "processor",
    host: config.metricsHost ?? "127.0.0.1",
    port: config.metricsPort,
  });
  yield* monitorConsumerLag({
    bootstrapBrokers: parseBrokers(config.bootstrapServers),
    security: securityOptions(config.kafkaSecurity),
    clientId: `ledgerline-processor-lag-${config.instanceId}`,
    groups: [
      { groupId: resolved.group("processor"), topics: [resolved.topic("requested")] },
      {
        groupId: resolved.group("ledgerSink"),
        topics: [resolved.topic("validated"), resolved.topic("rejected"), resolved.topic("dlq")],
      },
    ],
    topicLabel: (topic) => resolved.topicIdOf(topic) ?? topic,
    intervalMs: config.lagIntervalMs ?? 5_000,
  });
});
