// Our ledger sink for `npm run bench:peers` (tools/bench/src/peers): runSinkPipeline as the sink benchmark
// runs it, in a process of its own (the Debezium peer runs in its Connect JVM). Reads the validated,
// rejected and dlq topics of --namespace into --database-url until killed. Not a test.
//   node apps/ledger-sink/scripts/peerSink.ts --namespace NS --database-url URL --group G [--ledger-work rows-only]
import { parseArgs } from "node:util";
import { names } from "@ledgerline/catalogue";
import { parseBrokers } from "@ledgerline/kafka";
import { LedgerDb } from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { environmentFrom } from "@ledgerline/topology";
import { Effect, Logger, Redacted, References } from "effect";
import type { LedgerWork } from "../src/domain/writePlan.ts";
import { runSinkPipeline } from "../src/SinkPipeline.ts";

const { values: args } = parseArgs({
  options: {
    namespace: { type: "string" },
    "database-url": { type: "string" },
    group: { type: "string" },
    batch: { type: "string", default: "5000" },
    "ledger-work": { type: "string", default: "double-entry" },
  },
});
if (!args.namespace || !args["database-url"] || !args.group)
  throw new Error("--namespace, --database-url and --group are required");
const ledgerWork = args["ledger-work"];
if (ledgerWork !== "double-entry" && ledgerWork !== "rows-only")
  throw new Error("--ledger-work is double-entry or rows-only");
const environment = environmentFrom();
const resolved = names(args.namespace);

const program = runSinkPipeline({
  connection: { bootstrapBrokers: parseBrokers(environment.bootstrapServers), clientId: "peers-sink" },
  names: resolved,
  codec: new RegistryCodec({ url: Redacted.value(environment.registryUrl), names: resolved }),
  groupId: args.group,
  batchSize: Number(args.batch),
  batchWaitMs: 50,
  retryBaseMs: 100,
  retryMaxMs: 2_000,
  ledgerWork: ledgerWork satisfies LedgerWork,
}).pipe(
  Effect.scoped,
  Effect.provide(LedgerDb.layer({ databaseUrl: args["database-url"], maximumPoolSize: 4 })),
  Effect.provide(Logger.layer([Logger.consoleJson])),
  Effect.provideService(References.MinimumLogLevel, "Warn"),
);

const stop = () => process.exit(0);
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
console.log("sink started");
await Effect.runPromise(program);
