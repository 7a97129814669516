// Processor entry point: config → codec → FX table → exactly-once runner, under runStage (signals, exit).
import { names } from "@ledgerline/catalogue";
import { parseBrokers, runExactlyOnce } from "@ledgerline/kafka";
import { componentHealth, identifyProcess, runnerMetrics } from "@ledgerline/observability";
import { runStage } from "@ledgerline/resilience";
import { Effect, Layer, Logger, References } from "effect";
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
      retry: { baseMs: 100, maxMs: 2_000 },
      mode: config.mode,
      observer: runnerMetrics("processor", (topic) => resolved.topicIdOf(topic) ?? topic),
      health,
    }),
  );
  // The FX reader runs beside the stage; only a fatal fault in either ends both.
  yield* Effect.all([fx.watch, run], { concurrency: 2, discard: true });
}).pipe(Effect.annotateLogs({ service: "processor" }));

const services = (options: { readonly seedFxRates?: boolean }) =>
  Layer.provideMerge(
    FxRates.layer({ seedIfEmpty: options.seedFxRates }),
    Layer.provideMerge(Codec.layer, ProcessorConfig.layer),
  );

/** `seedFxRates`: publish the reference FX rates when fx.rates is empty (what `npm -w processor start` does). */
export const runProcessorMain = (options: { readonly seedFxRates?: boolean } = {}) => {
  const program = Effect.gen(function* () {
    const config = yield* ProcessorConfig;
    identifyProcess("processor", config.instanceId);
    yield* processorMetrics.pipe(
      Effect.andThen(processor),
      Effect.provideService(References.MinimumLogLevel, config.logLevel),
    );
  }).pipe(
    // Every line, the metrics endpoint's included, says which service wrote it.
    Effect.annotateLogs({ service: "processor" }),
    Effect.scoped,
    Effect.provide(services(options)),
    Effect.provide(Logger.layer([Logger.consoleJson])),
  );
  runStage(program, { service: "processor" });
};

if (import.meta.main) runProcessorMain();
