// Shared helpers for the processor's integration tests (real broker and registry, isolated namespaces).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TopicId } from "@ledgerline/catalogue";
import type { TransactionRequested } from "@ledgerline/contracts";
import {
  createIdempotentProducer,
  createReadCommittedConsumer,
  type KafkaConnection,
  type RecordConsumer,
} from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { requestedRecord, type TestNamespace, testEnvironment } from "@ledgerline/testkit";
import { Effect, Fiber, Layer, Redacted, References } from "effect";
import { Codec } from "../src/Codec.ts";
import { ProcessorConfig, type ProcessorSettings } from "../src/Config.ts";
import { FxRates } from "../src/FxRates.ts";
import { processor } from "../src/processor.ts";
import { publishFxRates } from "../src/publishFxRates.ts";

export const env = testEnvironment();

export const connection = (clientId = "processor-test"): KafkaConnection => ({
  bootstrapBrokers: env.brokers,
  clientId,
});

export const codecFor = (ns: TestNamespace) => new RegistryCodec({ url: env.registryUrl, names: ns.names });

export const publishReferenceRates = (ns: TestNamespace) =>
  publishFxRates({
    connection: connection("fx-publisher"),
    registryUrl: Redacted.make(env.registryUrl),
    names: ns.names,
  });

/** A valid EUR request (the reference rates convert it), from a random account, just made. */
export const request = (overrides: Partial<TransactionRequested> = {}): TransactionRequested =>
  requestedRecord({
    account_id: `ACC-${Math.floor(Math.random() * 1_000_000)}`,
    amount_minor: 12_345n,
    currency: "EUR",
    merchant_name: "Amazon Mktp",
    occurred_at: new Date(Date.now() - 60_000),
    accepted_at: new Date(),
    ...overrides,
  });

export interface RawRecord {
  readonly key: string;
  readonly value: Buffer;
}

/** Produces encoded requests (and any raw records) to the namespace's requested topic. */
export const produce = async (
  ns: TestNamespace,
  requests: readonly TransactionRequested[],
  raw: RawRecord[] = [],
) => {
  const codec = codecFor(ns);
  const values = await codec.encodeMany("requested", requests);
  const producer = createIdempotentProducer(connection("test-producer"));
  try {
    const messages = [
      ...requests.map((r, i) => ({
        topic: ns.names.topic("requested"),
        key: r.account_id,
        value: values[i]!,
      })),
      ...raw.map((r) => ({ topic: ns.names.topic("requested"), key: r.key, value: r.value })),
    ];
    for (let i = 0; i < messages.length; i += 1_000)
      await producer.send({ messages: messages.slice(i, i + 1_000) });
  } finally {
    await producer.close();
  }
};

export const settingsFor = (
  ns: TestNamespace,
  overrides: Partial<ProcessorSettings> = {},
): ProcessorSettings => ({
  bootstrapServers: env.bootstrapServers,
  registryUrl: Redacted.make(env.registryUrl),
  namespace: ns.namespace,
  logLevel: "Warn",
  instanceId: "0",
  batchSize: 200,
  commitIntervalMs: 100,
  baseCurrency: "USD",
  mode: "exactly-once",
  ...overrides,
});

/** Runs the processor in this process until `stop()` (graceful: interrupts between transactions). */
export const startProcessor = (settings: ProcessorSettings) => {
  const layer = Layer.provideMerge(
    FxRates.layer(),
    Layer.provideMerge(Codec.layer, Layer.succeed(ProcessorConfig, ProcessorConfig.of(settings))),
  );
  const fiber = Effect.runFork(
    processor.pipe(
      Effect.provideService(References.MinimumLogLevel, settings.logLevel),
      Effect.scoped,
      Effect.provide(layer),
    ),
  );
  return { stop: () => Effect.runPromise(Fiber.interrupt(fiber)) };
};

export interface Collected {
  readonly topicId: TopicId;
  readonly key: string;
  readonly value: Record<string, unknown>;
  readonly raw: Buffer;
}

/**
 * Reads validated, rejected and dlq with read_committed from the beginning until `done(collected)`
 * or the timeout. A private group that never commits: every call sees everything.
 */
export const collectOutputs = async (
  ns: TestNamespace,
  done: (collected: readonly Collected[]) => boolean,
  timeoutMs = 30_000,
  /** After `done`, keep reading until nothing new arrived for this long (catches late duplicates). */
  settleMs = 0,
): Promise<Collected[]> => {
  const codec = codecFor(ns);
  const topicIds: TopicId[] = ["validated", "rejected", "dlq"];
  const consumer: RecordConsumer = createReadCommittedConsumer(
    connection("test-reader"),
    `${ns.namespace}.reader.${randomUUID()}`,
  );
  const collected: Collected[] = [];
  try {
    const stream = await consumer.consume({
      topics: topicIds.map((id) => ns.names.topic(id)),
      mode: "earliest",
      autocommit: false,
    });
    const deadline = Date.now() + timeoutMs;
    let lastArrival = Date.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if ((done(collected) && Date.now() - lastArrival >= settleMs) || Date.now() > deadline) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      let chain = Promise.resolve();
      stream.on("data", (message) => {
        chain = chain.then(async () => {
          const topicId = ns.names.topicIdOf(message.topic)!;
          const value = await codec.decode<Record<string, unknown>>(topicId, message.value);
          collected.push({ topicId, key: message.key, value, raw: message.value });
          lastArrival = Date.now();
        }, reject);
      });
      stream.on("error", reject);
    });
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return collected;
};

/** The input id of an output: its transaction id, or for undecodable poison the record key. */
export const idOf = (item: Collected): string => (item.value.transaction_id as string | null) ?? item.key;

/** Inputs for the exactly-once tests: mostly valid, some invalid, some poison bytes (keyed by a unique id). */
export const mixedInputs = (count: number) => {
  const requests: TransactionRequested[] = [];
  const raw: RawRecord[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 29 === 0) raw.push({ key: `POISON-${randomUUID()}`, value: Buffer.from(`garbage ${i}`) });
    else if (i % 13 === 0) requests.push(request({ currency: "XXX" }));
    else requests.push(request({ amount_minor: BigInt(100 + i), account_id: `ACC-${i % 97}` }));
  }
  const ids = [...requests.map((r) => r.transaction_id), ...raw.map((r) => r.key)];
  return { requests, raw, ids };
};

/** Every input id exactly once across validated + rejected + dlq: returns the problems found. */
export const exactlyOnceProblems = (ids: readonly string[], outputs: readonly Collected[]) => {
  const seen = new Map<string, number>();
  for (const output of outputs) seen.set(idOf(output), (seen.get(idOf(output)) ?? 0) + 1);
  const missing = ids.filter((id) => !seen.has(id));
  const duplicated = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  const expected = new Set(ids);
  const unexpected = [...seen.keys()].filter((id) => !expected.has(id));
  return {
    missing: missing.length,
    duplicated: duplicated.length,
    unexpected: unexpected.length,
    total: outputs.length,
  };
};

export const processorMain = new URL("../src/main.ts", import.meta.url).pathname;

/** Starts `node apps/processor/src/main.ts` as a child process for this namespace; its output goes to a log file. */
export const spawnProcessor = (
  ns: TestNamespace,
  instanceId: string,
  extraEnv: Record<string, string> = {},
) => {
  const log = openSync(join(tmpdir(), `${ns.namespace}-processor-${instanceId}.log`), "a");
  return spawn(process.execPath, [processorMain], {
    env: {
      ...process.env,
      LEDGERLINE_NAMESPACE: ns.namespace,
      PROCESSOR_INSTANCE_ID: instanceId,
      KAFKA_BOOTSTRAP_SERVERS: env.bootstrapServers,
      SCHEMA_REGISTRY_URL: env.registryUrl,
      LOG_LEVEL: "info",
      ...extraEnv,
    },
    stdio: ["ignore", log, log],
  });
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const killAndWait = (child: ChildProcess, signal: NodeJS.Signals = "SIGKILL") =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });

/** Registers a schema with a plain HTTP call (as a foreign team would); returns its id. */
export const register = async (subject: string, schema: object): Promise<number> => {
  const response = await fetch(`${env.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: "POST",
    headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
    body: JSON.stringify({ schemaType: "AVRO", schema: JSON.stringify(schema) }),
  });
  const body = (await response.json()) as { id?: number; message?: string };
  if (!response.ok || body.id === undefined)
    throw new Error(`register ${subject}: ${response.status} ${body.message}`);
  return body.id;
};

export const frame = (schemaId: number, payload: Buffer) => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
};
