// Publishes reference/fx-rates.json to the compacted fx.rates topic (key = currency).
// `node apps/processor/src/publishFxRates.ts [--if-empty] [file]`; the start command passes --if-empty.
// As a process it runs under the launcher (runService), its settings read by the processor's Config.
import { parseArgs } from "node:util";
import { type Names, names } from "@ledgerline/catalogue";
import {
  createIdempotentProducer,
  createReadCommittedConsumer,
  type KafkaConnection,
  parseBrokers,
} from "@ledgerline/kafka";
import { componentHealth } from "@ledgerline/observability";
import { attempt, retryTransient, runService, StageFault } from "@ledgerline/resilience";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { Console, Effect, Redacted } from "effect";
import { fxPublisherConfig } from "./Config.ts";
import { readFxRatesFile } from "./fxRatesFile.ts";

export interface FxPublishTarget {
  readonly connection: KafkaConnection;
  /** A secret (it may carry user:password): unwrapped only where the codec is made. */
  readonly registryUrl: Redacted.Redacted<string>;
  readonly names: Names;
  readonly file?: string;
}

export const publishFxRates = async (target: FxPublishTarget): Promise<number> => {
  const records = readFxRatesFile(target.file);
  const codec = new RegistryCodec({ url: Redacted.value(target.registryUrl), names: target.names });
  const values = await codec.encodeMany("fxRates", records);
  const producer = createIdempotentProducer(target.connection);
  try {
    await producer.send({
      messages: records.map((record, index) => ({
        topic: target.names.topic("fxRates"),
        key: record.currency,
        value: values[index]!,
      })),
    });
  } finally {
    await producer.close();
  }
  return records.length;
};

/** True when the topic has never had a record (every partition's end offset is 0). */
export const fxTopicIsEmpty = async (connection: KafkaConnection, topic: string): Promise<boolean> => {
  const consumer = createReadCommittedConsumer(connection, `${topic}.probe`);
  try {
    const offsets = await consumer.listOffsets({ topics: [topic] });
    return (offsets.get(topic) ?? []).every((offset) => offset === 0n);
  } finally {
    await consumer.close();
  }
};

export const publishFxRatesIfEmpty = async (target: FxPublishTarget): Promise<number> =>
  (await fxTopicIsEmpty(target.connection, target.names.topic("fxRates"))) ? publishFxRates(target) : 0;

/** The FX publisher's program: settings from the processor's Config.ts (fxPublisherConfig); a broker or
 *  registry that just started may refuse for a few seconds, so transient faults are retried, for up to a minute. */
export const publishFxRatesProgram = (options: { readonly ifEmpty: boolean; readonly file?: string }) =>
  Effect.gen(function* () {
    const config = yield* fxPublisherConfig;
    const target: FxPublishTarget = {
      connection: {
        bootstrapBrokers: parseBrokers(config.bootstrapServers),
        security: config.kafkaSecurity,
        clientId: "ledgerline-fx-publisher",
      },
      registryUrl: config.registryUrl,
      names: names(config.namespace),
      ...(options.file ? { file: options.file } : {}),
    };
    const topic = target.names.topic("fxRates");
    let last: StageFault | undefined;
    const count = yield* attempt(() =>
      options.ifEmpty ? publishFxRatesIfEmpty(target) : publishFxRates(target),
    ).pipe(
      Effect.tapError((fault) => Effect.sync(() => (last = fault))),
      retryTransient({ health: componentHealth("fx-publisher"), what: `publish FX rates to ${topic}` }),
      // A minute of transient faults ends it too, with the last one as its line.
      Effect.timeoutOrElse({
        duration: "60 seconds",
        orElse: () =>
          Effect.fail(
            new StageFault({
              reason: last?.reason ?? "BrokerUnavailable",
              message: `publish FX rates to ${topic}: no success within 60 s; last: ${last?.message ?? "none"}`,
            }),
          ),
      }),
    );
    yield* Console.log(
      count > 0
        ? `published ${count} FX rates to ${topic}`
        : `${topic} already holds rates; nothing published`,
    );
  });

if (import.meta.main) {
  // usage: publishFxRates.ts [--if-empty] [rates.json]
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "if-empty": { type: "boolean", default: false } },
  });
  runService("fx-publisher", publishFxRatesProgram({ ifEmpty: values["if-empty"], file: positionals[0] }));
}
