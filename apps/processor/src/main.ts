// Processor entry point: config → codec → FX table → exactly-once runner. SIGTERM/SIGINT stop it gracefully.
import { parseBrokers, runExactlyOnce } from "@ledgerline/kafka";
import { runnerMetrics, startTracing } from "@ledgerline/observability";
import { names } from "@ledgerline/topology";
import { Effect, Fiber, Layer, Logger, References } from "effect";
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
  yield* runExactlyOnce({
    connection: {
      bootstrapBrokers: parseBrokers(config.bootstrapServers),
      clientId: `ledgerline-processor-${config.instanceId}`,
    },
    stage: "processor",
    groupId: resolved.group("processor"),
    transactionalId: resolved.transactionalId("processor", config.instanceId),
    // The same stable id makes a restarted instance a static member: it gets its partitions back at once.
    groupInstanceId: resolved.transactionalId("processor", config.instanceId),
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
  });
}).pipe(Effect.annotateLogs({ service: "processor" }));

const services = Layer.provideMerge(FxRates.layer, Layer.provideMerge(Codec.layer, ProcessorConfig.layer));

export const runProcessorMain = () => {
  // A no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set; flushed before the process exits.
  const stopTracing = startTracing("processor");
  const program = Effect.gen(function* () {
    const config = yield* ProcessorConfig;
    yield* processorMetrics.pipe(
      Effect.andThen(processor),
      Effect.provideService(References.MinimumLogLevel, config.logLevel),
    );
  }).pipe(
    // Every line, the metrics endpoint's included, says which service wrote it.
    Effect.annotateLogs({ service: "processor" }),
    Effect.scoped,
    Effect.provide(services),
    Effect.provide(Logger.layer([Logger.consoleJson])),
  );
  const fiber = Effect.runFork(program);
  const stop = () => Effect.runFork(Fiber.interrupt(fiber));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  fiber.addObserver((exit) => {
    if (exit._tag === "Failure" && !String(exit.cause).includes("Interrupt")) {
      console.error(String(exit.cause));
      void stopTracing().finally(() => process.exit(1));
      return;
    }
    void stopTracing().finally(() => process.exit(0));
  });
};

if (import.meta.main) runProcessorMain();
