// What both processor benchmarks (bench.ts, and peerProcessor.ts for bench:peers) run: the processor's own
// services on the stack's broker and registry, and its transform as main wires it (FX table, merchants).
import { Effect, Layer, type Redacted } from "effect";
import { Codec } from "../src/Codec.ts";
import { ProcessorConfig } from "../src/Config.ts";
import { loadMerchantTable, merchantCategoriser } from "../src/domain/merchants.ts";
import { FxRates } from "../src/FxRates.ts";
import { processorTransform } from "../src/Pipeline.ts";

export interface BenchProcessor {
  readonly bootstrapServers: string;
  readonly registryUrl: Redacted.Redacted<string>;
  /** Where the FX table and the input schemas are read from. */
  readonly namespace: string;
  readonly instanceId: string;
  readonly batchSize: number;
  readonly commitIntervalMs: number;
}

/** The processor's Codec and FxRates over a config made of the benchmark's settings. */
export const benchServices = (bench: BenchProcessor) =>
  Layer.provideMerge(
    FxRates.layer(),
    Layer.provideMerge(
      Codec.layer,
      Layer.succeed(
        ProcessorConfig,
        ProcessorConfig.of({
          ...bench,
          logLevel: "Warn",
          baseCurrency: "USD",
          mode: "exactly-once",
        }),
      ),
    ),
  );

/** Once the FX table is loaded: the decoding codec and the processor's transform. */
export const benchTransform = Effect.gen(function* () {
  const fx = yield* FxRates;
  yield* fx.loaded;
  const codec = yield* Codec;
  const categorise = merchantCategoriser(loadMerchantTable());
  return {
    codec,
    transform: processorTransform(codec, () => ({ baseCurrency: "USD", fx: fx.table(), categorise })),
  };
});
