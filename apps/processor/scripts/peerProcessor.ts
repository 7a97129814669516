// Our processor for `npm run bench:peers` (tools/bench/src/peers): the processor benchmark's code path
// (runExactlyOnce + processorTransform, exactly-once) in a process of its own, as the Kafka Streams peer
// runs in its JVM. Reads --inputs, the FX table of --namespace, writes the validated and rejected topics
// of --outputs-namespace. Runs until killed. Not a test.
//   node apps/processor/scripts/peerProcessor.ts --namespace NS --outputs-namespace OUT --inputs a,b --id 1
import { parseArgs } from "node:util";
import { names } from "@ledgerline/catalogue";
import { parseBrokers, runExactlyOnce } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { environmentFrom } from "@ledgerline/topology";
import { Effect, Redacted, References } from "effect";
import { benchServices, benchTransform } from "./benchProcessor.ts";

const { values: args } = parseArgs({
  options: {
    namespace: { type: "string" },
    "outputs-namespace": { type: "string" },
    inputs: { type: "string" },
    id: { type: "string", default: "0" },
    batch: { type: "string", default: "2000" },
    interval: { type: "string", default: "100" },
    // The processor's default (PROCESSOR_FETCH_MAX_WAIT_MS); Streams' consumer answers at once (fetch.min.bytes 1).
    "fetch-wait": { type: "string", default: "20" },
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
  instanceId: `peers-${args.id}`,
  batchSize: Number(args.batch),
  commitIntervalMs: Number(args.interval),
};

const program = Effect.gen(function* () {
  const { transform } = yield* benchTransform;
  yield* runExactlyOnce({
    connection: { bootstrapBrokers: parseBrokers(settings.bootstrapServers), clientId: settings.instanceId },
    stage: "processor",
    groupId: outputs.group("processor"),
    transactionalId: outputs.transactionalId("processor", settings.instanceId),
    inputTopics: args.inputs!.split(","),
    topicName: outputs.topic,
    encoder: new RegistryCodec({
      url: Redacted.value(settings.registryUrl),
      names: outputs,
      timeoutMs: 3_000,
    }),
    dlqTopic: "dlq",
    transform,
    maxBatchSize: settings.batchSize,
    maxBatchTimeMs: settings.commitIntervalMs,
    fetchMaxWaitMs: Number(args["fetch-wait"]),
    mode: "exactly-once",
  });
}).pipe(
  Effect.provideService(References.MinimumLogLevel, "Warn"),
  Effect.scoped,
  Effect.provide(benchServices(settings)),
);

const stop = () => process.exit(0);
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
console.log("processor started");
await Effect.runPromise(program);
