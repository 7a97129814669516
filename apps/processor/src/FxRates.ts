// The FX table: fx.rates read whole at start, then kept up to date (the table side of a stream-table join).
// A background fiber owns the reading. Any fault (a new broker's coordinator, a broker restart, a stream
// error, a registry outage) ends that read; it starts again from the beginning of the compacted topic
// with a new consumer, after the shared backoff. Once loaded, the table keeps serving meanwhile.
import { names } from "@ledgerline/catalogue";
import type { FxRate as FxRateRecord } from "@ledgerline/contracts";
import {
  BatchReader,
  type ConsumedRecord,
  createReadCommittedConsumer,
  parseBrokers,
  type RecordConsumer,
} from "@ledgerline/kafka";
import { componentHealth } from "@ledgerline/observability";
import { attempt, retryTransient, type StageFault, sessionLoop } from "@ledgerline/resilience";
import { Context, Deferred, Effect, Fiber, Layer } from "effect";
import { Codec } from "./Codec.ts";
import { ProcessorConfig } from "./Config.ts";
import { type FxRate, type FxTable, withRate } from "./domain/fx.ts";
import { publishFxRatesIfEmpty } from "./publishFxRates.ts";

export class FxRates extends Context.Service<
  FxRates,
  {
    readonly table: () => FxTable;
    /** Completes once the whole topic has been read (the processor starts only then). */
    readonly loaded: Effect.Effect<void>;
    /** Never succeeds; fails if reading the table meets a fatal fault (run it beside the stage). */
    readonly watch: Effect.Effect<never, StageFault>;
  }
>()("ledgerline/processor/FxRates") {
  /** `seedIfEmpty`: publish the reference rates first when fx.rates has never held a record. */
  static readonly layer = (options: { readonly seedIfEmpty?: boolean } = {}) =>
    Layer.effect(
      FxRates,
      Effect.gen(function* () {
        const config = yield* ProcessorConfig;
        const codec = yield* Codec;
        const topic = names(config.namespace).topic("fxRates");
        const table = new Map<string, FxRate>();
        const loaded = yield* Deferred.make<void>();
        const health = componentHealth("fx-table");
        health.starting(`reading ${topic}`);
        const connection = {
          bootstrapBrokers: parseBrokers(config.bootstrapServers),
          security: config.kafkaSecurity,
          clientId: `ledgerline-processor-fx-${config.instanceId}`,
        };

        if (options.seedIfEmpty) {
          const published = yield* attempt(() =>
            publishFxRatesIfEmpty({
              connection,
              registryUrl: config.registryUrl,
              names: names(config.namespace),
            }),
          ).pipe(retryTransient({ health, what: `publish reference rates to ${topic}` }));
          if (published > 0)
            yield* Effect.logInfo("published reference FX rates").pipe(
              Effect.annotateLogs({ topic, published }),
            );
        }

        // A rate must not be skipped because the registry blinked: outages are retried, bad records skipped.
        const apply = (record: ConsumedRecord) =>
          attempt(() => codec.decode<FxRateRecord>("fxRates", record.value)).pipe(
            retryTransient({ health, what: `decode ${topic} record` }),
            Effect.map((value) =>
              withRate(
                table,
                {
                  currency: value.currency,
                  baseCurrency: value.base_currency,
                  rate: value.rate,
                  asOf: value.as_of,
                },
                config.baseCurrency,
              ),
            ),
            Effect.catch((fault) =>
              Effect.logError("skipping an FX record that cannot be decoded").pipe(
                Effect.annotateLogs({
                  partition: record.partition,
                  offset: String(record.offset),
                  error: fault.message,
                }),
              ),
            ),
          );

        /** One read of the topic from its beginning; runs until something fails. */
        const readOnce = Effect.acquireUseRelease(
          // A private group (never committed) per read: every instance reads the whole topic from the beginning.
          Effect.sync(() =>
            createReadCommittedConsumer(
              connection,
              `${topic}.reader.${config.instanceId}.${process.pid}.${Date.now().toString(36)}`,
            ),
          ),
          (consumer: RecordConsumer) =>
            Effect.gen(function* () {
              const ends = yield* attempt(() => consumer.listOffsets({ topics: [topic] }));
              const pending = new Map(
                (ends.get(topic) ?? [])
                  .map((end, partition) => [partition, end] as const)
                  .filter(([, end]) => end > 0n),
              );
              const reader = yield* attempt(async () => {
                const stream = await consumer.consume({
                  topics: [topic],
                  mode: "earliest",
                  autocommit: false,
                });
                const reader = new BatchReader(stream, 1_000);
                // The consumer's own 'error' (a failed rejoin) ends this read instead of the process.
                consumer.on("error", (error: unknown) => reader.fail(error));
                return reader;
              });
              const markLoaded = Effect.gen(function* () {
                if (yield* Deferred.isDone(loaded)) return;
                yield* Deferred.succeed(loaded, undefined);
                yield* Effect.logInfo("FX table loaded").pipe(
                  Effect.annotateLogs({ topic, currencies: table.size }),
                );
              });
              if (pending.size === 0) yield* markLoaded;
              health.ready(`reading ${topic}`);
              for (;;) {
                // Decode one record at a time so a later rate for a currency always wins.
                for (const record of yield* attempt(() => reader.next(500, 1_000))) {
                  yield* apply(record);
                  const end = pending.get(record.partition);
                  if (end !== undefined && record.offset + 1n >= end) pending.delete(record.partition);
                  if (pending.size === 0) yield* markLoaded;
                }
              }
            }),
          (consumer) => Effect.promise(() => consumer.close(true).catch(() => undefined)),
        );

        // Consecutive short-lived reads back off further; a read that lasted a while starts the count again.
        const keepReading = sessionLoop(() => readOnce, {
          health,
          what: `read ${topic}`,
          progressAfterMs: 30_000,
        });
        const fiber = yield* Effect.forkScoped(keepReading);
        return FxRates.of({ table: () => table, loaded: Deferred.await(loaded), watch: Fiber.join(fiber) });
      }),
    );
}
