// The FX table: fx.rates read whole at start, then kept up to date (the table side of a stream-table join).
import type { FxRate as FxRateRecord } from "@ledgerline/contracts";
import { createReadCommittedConsumer, describeError, parseBrokers } from "@ledgerline/kafka";
import { type RegistryCodec, RegistryError } from "@ledgerline/schema-registry";
import { names } from "@ledgerline/topology";
import { Context, Effect, Layer } from "effect";
import { Codec } from "./Codec.ts";
import { ProcessorConfig } from "./Config.ts";
import { type FxRate, type FxTable, withRate } from "./domain/fx.ts";

/** A rate must not be skipped because the registry blinked: retry outages (capped backoff), skip only bad records. */
const decodeWithRetry = async (codec: RegistryCodec, value: Buffer): Promise<FxRateRecord> => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await codec.decode<FxRateRecord>("fxRates", value);
    } catch (error) {
      if (!(error instanceof RegistryError && error.retryable)) throw error;
      const ceiling = Math.min(5_000, 100 * 2 ** Math.min(attempt, 10));
      await new Promise((resolve) => setTimeout(resolve, ceiling * (0.5 + Math.random() / 2)));
    }
  }
};

export class FxRates extends Context.Service<FxRates, { readonly table: () => FxTable }>()(
  "ledgerline/processor/FxRates",
) {
  static readonly layer = Layer.effect(
    FxRates,
    Effect.gen(function* () {
      const config = yield* ProcessorConfig;
      const codec = yield* Codec;
      const topic = names(config.namespace).topic("fxRates");
      const table = new Map<string, FxRate>();
      // A private group (never committed) per start: every instance reads the whole topic from the beginning.
      const consumer = createReadCommittedConsumer(
        {
          bootstrapBrokers: parseBrokers(config.bootstrapServers),
          clientId: `ledgerline-processor-fx-${config.instanceId}`,
        },
        `${topic}.reader.${config.instanceId}.${process.pid}.${Date.now().toString(36)}`,
      );
      yield* Effect.addFinalizer(() => Effect.promise(() => consumer.close(true).catch(() => undefined)));

      const loaded = yield* Effect.tryPromise({
        try: async () => {
          const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
          const pending = new Map(
            ends.map((end, partition) => [partition, end] as const).filter(([, end]) => end > 0n),
          );
          const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
          let markLoaded: () => void = () => undefined;
          const caughtUp = new Promise<void>((resolve) => {
            markLoaded = resolve;
          });
          if (pending.size === 0) markLoaded();
          // Decode one record at a time so a later rate for a currency always wins.
          let chain = Promise.resolve();
          stream.on("data", (message) => {
            chain = chain.then(async () => {
              try {
                const record = await decodeWithRetry(codec, message.value);
                const rate = {
                  currency: record.currency,
                  baseCurrency: record.base_currency,
                  rate: record.rate,
                  asOf: record.as_of,
                };
                withRate(table, rate, config.baseCurrency);
              } catch (error) {
                console.error(
                  `skipping FX record ${message.partition}/${message.offset}: ${describeError(error)}`,
                );
              }
              const end = pending.get(message.partition);
              if (end !== undefined && message.offset + 1n >= end) pending.delete(message.partition);
              if (pending.size === 0) markLoaded();
            });
          });
          await caughtUp;
          return table.size;
        },
        catch: (error) => new Error(`cannot load ${topic}: ${describeError(error)}`),
      });
      yield* Effect.logInfo("FX table loaded").pipe(Effect.annotateLogs({ topic, currencies: loaded }));
      return FxRates.of({ table: () => table });
    }),
  );
}
