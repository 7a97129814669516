// Publishes reference/fx-rates.json to the compacted fx.rates topic (key = currency).
// `node apps/processor/src/publishFxRates.ts [--if-empty] [file]`; the start command passes --if-empty.
import { parseArgs } from "node:util";
import { type Names, names } from "@ledgerline/catalogue";
import {
  createIdempotentProducer,
  createReadCommittedConsumer,
  type KafkaConnection,
  parseBrokers,
} from "@ledgerline/kafka";
import { backoffDelayMs, classifyFault, retryPolicy } from "@ledgerline/resilience";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { environmentFrom } from "@ledgerline/topology";
import { readFxRatesFile } from "./fxRatesFile.ts";

export interface FxPublishTarget {
  readonly connection: KafkaConnection;
  readonly registryUrl: string;
  readonly names: Names;
  readonly file?: string;
}

export const publishFxRates = async (target: FxPublishTarget): Promise<number> => {
  const records = readFxRatesFile(target.file);
  const codec = new RegistryCodec({ url: target.registryUrl, names: target.names });
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

if (import.meta.main) {
  // usage: publishFxRates.ts [--if-empty] [rates.json]
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "if-empty": { type: "boolean", default: false } },
  });
  const environment = environmentFrom();
  const target: FxPublishTarget = {
    connection: {
      bootstrapBrokers: parseBrokers(environment.bootstrapServers),
      security: environment.kafkaSecurity,
      clientId: "ledgerline-fx-publisher",
    },
    registryUrl: environment.registryUrl,
    names: names(environment.namespace),
    file: positionals[0],
  };
  const topic = target.names.topic("fxRates");
  // Run right after the broker started (npm start's set-up): a new broker may refuse for a few seconds.
  // Transient faults are retried for up to a minute; anything else, or a minute of them, is one line.
  const publish = () => (values["if-empty"] ? publishFxRatesIfEmpty(target) : publishFxRates(target));
  const deadline = Date.now() + 60_000;
  let count = 0;
  for (let failures = 0; ; failures++) {
    try {
      count = await publish();
      break;
    } catch (error) {
      const fault = classifyFault(error);
      if (retryPolicy(fault.reason)._tag === "Stop" || Date.now() > deadline) {
        console.error(
          `publish FX rates to ${topic}: ${fault.reason}: ${fault.message.split("\n")[0]}${fault.fix ? ` Fix: ${fault.fix}.` : ""}`,
        );
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(failures)));
    }
  }
  console.log(
    count > 0 ? `published ${count} FX rates to ${topic}` : `${topic} already holds rates; nothing published`,
  );
}
