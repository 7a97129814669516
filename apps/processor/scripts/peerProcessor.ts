// Our processor for `npm run bench:peers` (tools/bench/src/peers): the processor benchmark's code path
// (runExactlyOnce + processorTransform, exactly-once) in a process of its own, as the Kafka Streams peer
// runs in its JVM. Reads --inputs, the FX table of --namespace, writes the validated and rejected topics
// of --outputs-namespace. Runs until killed. Not a test.
//   node apps/processor/scripts/peerProcessor.ts --namespace NS --outputs-namespace OUT --inputs a,b --id 1
import { parseArgs } from "node:util";
import { parseBrokers, runExactlyOnce } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { environmentFrom, names } from "@ledgerline/topology";
import { Effect, Layer, References } from "effect";
import { Codec } from "../src/Codec.ts";
import { ProcessorConfig } from "../src/Config.ts";
import { loadMerchantTable, merchantCategoriser } from "../src/domain/merchants.ts";
import { FxRates } from "../src/FxRates.ts";
import { processorTransform } from "../src/Pipeline.ts";

const { values: args } = parseArgs({
  options: {
    namespace: { type: "string" },
    "outputs-namespace": { type: "string" },
    inputs: { type: "string" },
    id: { type: "string", default: "0" },
    batch: { type: "string", default: "2000" },
    interval: { type: "string", default: "100" },
  },
});
if (!args.namespace || !args["outputs-namespace"] || !args.inputs)
  throw new Error("--namespace, --outputs-namespace and --inputs are required");
const environment = environmentFrom();
const outputs = names(args["outputs-namespace"]);
const settings = {
  bootstrapServers: environment.bootstrapServers,
  registryUrl: environment.registryUrl,
  namespace: args.namespace,
  logLevel: "Warn" as const,
  instanceId: `peers-${args.id}`,
  batchSize: Number(args.batch),
  commitIntervalMs: Number(args.interval),
  baseCurrency: "USD" as const,
  mode: "exactly-once" as const,
};
const services = Layer.provideMerge(
  FxRates.layer(),
  Layer.provideMerge(Codec.layer, Layer.succeed(ProcessorConfig, ProcessorConfig.of(settings))),
);

const program = Effect.gen(function* () {
  const fx = yield* FxRates;
  yield* fx.loaded;
  const codec = yield* Codec;
  const categorise = merchantCategoriser(loadMerchantTable());
  yield* runExactlyOnce({
    connection: { bootstrapBrokers: parseBrokers(settings.bootstrapServers), clientId: settings.instanceId },
    stage: "processor",
    groupId: outputs.group("processor"),
    transactionalId: outputs.transactionalId("processor", settings.instanceId),
    inputTopics: args.inputs!.split(","),
    topicName: outputs.topic,
    encoder: new RegistryCodec({ url: settings.registryUrl, names: outputs, timeoutMs: 3_000 }),
    dlqTopic: "dlq",
    transform: processorTransform(codec, () => ({ baseCurrency: "USD", fx: fx.table(), categorise })),
    maxBatchSize: settings.batchSize,
    maxBatchTimeMs: settings.commitIntervalMs,
    mode: "exactly-once",
  });
}).pipe(Effect.provideService(References.MinimumLogLevel, "Warn"), Effect.scoped, Effect.provide(services));

const stop = () => process.exit(0);
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
console.log("processor started");
await Effect.runPromise(program);
