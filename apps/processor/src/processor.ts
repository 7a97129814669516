// The processor's program: config → codec → FX table → exactly-once runner, beside its ops endpoint.
// main.ts hands `processorService` to the launcher; tests run `processor` in-process with fixed settings.
import { names } from "@ledgerline/catalogue";
import { parseBrokers, runExactlyOnce } from "@ledgerline/kafka";
import { componentHealth, runnerMetrics } from "@ledgerline/observability";
import { Effect, Layer } from "effect";
import { Codec } from "./Codec.ts";
import { ProcessorConfig } from "./Config.ts";
import { loadMerchantTable, merchantCategoriser } from "./domain/merchants.ts";
import { FxRates } from "./FxRates.ts";
import { processorMetrics } from "./metricsEndpoint.ts";
import { processorTransform } from "./Pipeline.ts";

export const processor = Effect.gen(function* () {
  const config = yield* ProcessorConfig;
  const codec = yield* Codec;
  const fx = yield* FxRates;
  const resolved = names(config.namespace);
  const categorise = merchantCategoriser(loadMerchantTable());
  const health = componentHealth("processor");
  // Records are not read before the whole FX table is: a missing rate would reject them.
  health.starting("waiting for the FX table");
  const run = Effect.andThen(
    fx.loaded,
    runExactlyOnce({
      connection: {
        bootstrapBrokers: parseBrokers(config.bootstrapServers),
        security: config.kafkaSecurity,
        clientId: `ledgerline-processor-${config.instanceId}`,
      },
      stage: "processor",
      groupId: resolved.group("processor"),
      transactionalId: resolved.transactionalId("processor", config.instanceId),
      // The same stable id makes a restarted instance a static member: it gets its partitions back at once.
      groupInstanceId: resolved.transactionalId("processor", config.instanceId),
      instanceIdVariable: "PROCESSOR_INSTANCE_ID",
      inputTopics: [resolved.topic("requested")],
      topicName: resolved.topic,
      encoder: codec,
      dlqTopic: "dlq",
      transform: processorTransform(codec, () => ({
        baseCurrency: config.baseCurrency,
        fx: fx.table(),
        categorise,
      })),
      maxBatchSize: config.batchSize,
      maxBatchTimeMs: config.commitIntervalMs,
      fetchMaxWaitMs: config.fetchMaxWaitMs,
      retry: { baseMs: 100, maxMs: 2_000 },
      mode: config.mode,
      observer: runnerMetrics("processor", (topic) => resolved.topicIdOf(topic) ?? topic),
      health,
    }),
  );
  // The FX reader runs beside the stage; only a fatal fault in either ends both.
  yield* Effect.all([fx.watch, run], { concurrency: 2, discard: true });
}).pipe(Effect.annotateLogs({ service: "processor" }));

// PROCESSOR_SEED_FX_RATES: publish the reference FX rates first when fx.rates is empty.
const fxRatesLayer = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* ProcessorConfig;
    return FxRates.layer({ seedIfEmpty: config.seedFxRates });
  }),
);

const services = Layer.provideMerge(fxRatesLayer, Layer.provideMerge(Codec.layer, ProcessorConfig.layer));

/** The whole processor process's work: its ops endpoint, then the stage, on the services from Config. */
export const processorService = processorMetrics.pipe(
  Effect.andThen(processor),
  // Every line, the metrics endpoint's included, says which service wrote it.
  Effect.annotateLogs({ service: "processor" }),
  Effect.scoped,
  Effect.provide(services),
);
