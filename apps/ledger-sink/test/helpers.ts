// Shared test plumbing: record builders, producing Avro records, reading topics, running the sink.
import { randomUUID } from "node:crypto";
import type { TopicId } from "@ledgerline/catalogue";
import type { DeadLetter, TransactionPosted, TransactionRejected } from "@ledgerline/contracts";
import { payloadHash } from "@ledgerline/domain";
import {
  createIdempotentProducer,
  createReadCommittedConsumer,
  type KafkaConnection,
} from "@ledgerline/kafka";
import { type DatabasePool, ignoreStrayConnectionErrors, LedgerDb, sql } from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import {
  type PostedTopic,
  requestedRecord,
  type TestNamespace,
  testEnvironment,
  validatedRecord,
} from "@ledgerline/testkit";
import { Cause, Effect, Fiber, Logger, References } from "effect";
import type { WriteResult } from "../src/domain/writePlan.ts";
import { runOutboxRelay } from "../src/OutboxRelay.ts";
import { runSinkPipeline } from "../src/SinkPipeline.ts";

/** Where a test's Kafka and registry are: the shared ones, or throwaway ones. */
export interface Services {
  readonly bootstrapServers: string;
  readonly registryUrl: string;
}

const shared = (): Services => testEnvironment();

export const connection = (clientId: string, services: Services = shared()): KafkaConnection => ({
  bootstrapBrokers: services.bootstrapServers.split(","),
  clientId,
});

/** Where the relay publishes, for the ledger invariants. */
export const postedTopic = (ns: TestNamespace, services: Services = shared()): PostedTopic => ({
  bootstrapBrokers: connection("posted", services).bootstrapBrokers,
  topic: ns.names.topic("posted"),
});

/** A valid payment (testkit validatedRecord, shared with the sink benchmarks). */
export const validated = validatedRecord;

export const rejected = (overrides: Partial<TransactionRejected> = {}): TransactionRejected => {
  const base = {
    ...requestedRecord({ amount_minor: 500n, currency: "XXX", merchant_name: "Nowhere" }),
    reasons: [{ code: "CURRENCY_UNSUPPORTED", field: "currency", message: "XXX is not supported" }],
    rejected_at: new Date(),
    ...overrides,
  };
  return { ...base, payload_hash: overrides.payload_hash ?? payloadHash(base) };
};

export const deadLetter = (transactionId: string | null, reason = "ENRICHMENT_FAILED"): DeadLetter => ({
  transaction_id: transactionId,
  stage: "processor",
  reason_code: reason,
  error_class: "Error",
  error_message: "no FX rate",
  retryable: true,
  original_topic: "transactions.requested",
  original_partition: 0,
  original_offset: 7n,
  original_timestamp: new Date(),
  original_key: null,
  original_value: null,
  original_headers: {},
  attempts: 1,
  replay_count: 0,
  dead_lettered_at: new Date(),
});

export const produce = async (
  ns: TestNamespace,
  records: readonly { topicId: TopicId; key: string; value: unknown | Buffer }[],
  services: Services = shared(),
) => {
  const codec = new RegistryCodec({ url: services.registryUrl, names: ns.names });
  const producer = createIdempotentProducer(connection(`${ns.namespace}-producer`, services));
  try {
    const messages = await Promise.all(
      records.map(async (r) => ({
        topic: ns.names.topic(r.topicId),
        key: r.key,
        value: Buffer.isBuffer(r.value) ? r.value : await codec.encode(r.topicId, r.value),
      })),
    );
    for (let i = 0; i < messages.length; i += 500)
      await producer.send({ messages: messages.slice(i, i + 500) });
  } finally {
    await producer.close();
  }
};

/** Every record of a topic (read_committed, from the start) once at least `expected` arrived. */
export const readTopic = async <T>(
  ns: TestNamespace,
  topicId: TopicId,
  /** A record count, or a predicate over what was read so far; reading stops there or at the timeout. */
  expected: number | ((seen: readonly { key: string; value: T }[]) => boolean),
  timeoutMs = 20_000,
  services: Services = shared(),
) => {
  const codec = new RegistryCodec({ url: services.registryUrl, names: ns.names });
  const consumer = createReadCommittedConsumer(
    connection(`${ns.namespace}-reader`, services),
    `${ns.namespace}.reader-${randomUUID()}`,
  );
  const seen: {
    key: string;
    partition: number;
    offset: bigint;
    value: T;
    headers: Record<string, string>;
  }[] = [];
  try {
    const stream = await consumer.consume({ topics: [ns.names.topic(topicId)], mode: "earliest" });
    const deadline = setTimeout(() => stream.close(), timeoutMs);
    for await (const message of stream) {
      seen.push({
        key: message.key,
        partition: message.partition,
        offset: message.offset,
        value: await codec.decode<T>(topicId, message.value),
        headers: Object.fromEntries(
          [...message.headers].map(([name, value]) => [name, value.toString("utf8")]),
        ),
      });
      if (typeof expected === "number" ? seen.length >= expected : expected(seen)) break;
    }
    clearTimeout(deadline);
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return seen;
};

export const endOffsets = async (
  ns: TestNamespace,
  topicIds: readonly TopicId[],
  services: Services = shared(),
) => {
  const consumer = createReadCommittedConsumer(
    connection(`${ns.namespace}-offsets`, services),
    `${ns.namespace}.offsets`,
  );
  try {
    return await consumer.listOffsets({ topics: topicIds.map((id) => ns.names.topic(id)) });
  } finally {
    await consumer.close(true);
  }
};

export const waitFor = async (
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  /** Throws when what is being waited for can no longer happen (e.g. the sink died). */
  alive: () => void = () => undefined,
) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    alive();
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** Sum of stored next offsets for the sink group over the given topics. */
export const storedOffsets = async (pool: DatabasePool, ns: TestNamespace) => {
  const rows = (await pool.any(sql.unsafe`
    SELECT topic, partition, next_offset FROM consumer_offsets WHERE group_id = ${ns.names.group("ledgerSink")}`)) as readonly {
    topic: string;
    partition: number;
    next_offset: bigint;
  }[];
  return new Map(rows.map((r) => [`${r.topic}:${r.partition}`, r.next_offset]));
};

export const caughtUp = async (
  pool: DatabasePool,
  ns: TestNamespace,
  topicIds: readonly TopicId[],
  services: Services = shared(),
) => {
  const [ends, stored] = await Promise.all([endOffsets(ns, topicIds, services), storedOffsets(pool, ns)]);
  for (const [topic, partitions] of ends) {
    for (let p = 0; p < partitions.length; p++) {
      const end = partitions[p] ?? 0n;
      if (end > 0n && (stored.get(`${topic}:${p}`) ?? 0n) < end) return false;
    }
  }
  return true;
};

/** Runs the sink (and optionally the relay) in this process until `stop()`. */
export const startSink = (
  ns: TestNamespace,
  databaseUrl: string,
  options: {
    relay?: boolean;
    onBatch?: (result: WriteResult) => void;
    batchSize?: number;
    services?: Services;
    blockedRecheckMs?: number;
  } = {},
) => {
  // In-process, like main.ts: connections terminated outside a query are not the test's failure.
  ignoreStrayConnectionErrors(() => undefined);
  const services = options.services ?? shared();
  const codec = new RegistryCodec({ url: services.registryUrl, names: ns.names });
  const sink = runSinkPipeline({
    connection: connection(`${ns.namespace}-sink`, services),
    blockedRecheckMs: options.blockedRecheckMs,
    names: ns.names,
    codec,
    groupId: ns.names.group("ledgerSink"),
    batchSize: options.batchSize ?? 500,
    batchWaitMs: 50,
    retryBaseMs: 50,
    retryMaxMs: 1_000,
    onBatch: options.onBatch,
  });
  const relay = runOutboxRelay({
    connection: connection(`${ns.namespace}-relay`, services),
    names: ns.names,
    codec,
    databaseUrl,
    transactionalId: ns.names.transactionalId("outboxRelay", "test"),
    batchSize: 500,
    pollMs: 500,
    retryBaseMs: 50,
    retryMaxMs: 1_000,
  });
  const program = (options.relay ? Effect.all([sink, relay], { concurrency: 2, discard: true }) : sink).pipe(
    Effect.scoped,
    Effect.provide(LedgerDb.layer({ databaseUrl, maximumPoolSize: 4 })),
    Effect.provide(Logger.layer([Logger.consoleJson])),
    Effect.provideService(References.MinimumLogLevel, "Warn"),
  );
  const fiber = Effect.runFork(program);
  // A sink that ended on its own is a failure to report at once, not a timeout to wait for.
  let ended: string | undefined;
  fiber.addObserver((exit) => {
    if (exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause)) ended = Cause.pretty(exit.cause);
  });
  return {
    stop: () => Effect.runPromise(Fiber.interrupt(fiber)),
    assertAlive: () => {
      if (ended) throw new Error(`the sink ended on its own: ${ended}`);
    },
  };
};

export { assertLedgerInvariants } from "@ledgerline/testkit";
export type { TransactionPosted };

/** Spawns `node apps/ledger-sink/src/<entry>` with the test's namespace and database. */
export const spawnApp = async (entry: "main.ts" | "relay.ts", env: Record<string, string>) => {
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const script = fileURLToPath(new URL(`../src/${entry}`, import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, LOG_LEVEL: "warn", LEDGER_SINK_METRICS_PORT: "0", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  // A test that times out must not leave its sink running (it would hold the partitions and a port).
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  child.once("exit", () => process.off("exit", reap));
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  return {
    child,
    stderr: () => stderr,
    kill: (signal: NodeJS.Signals = "SIGKILL") =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
      }),
  };
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `ledgerline <args>` (the ops CLI) as an operator would; resolves with its exit code and output. */
export const runOpsCli = async (args: readonly string[], env: Record<string, string>) => {
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const cli = fileURLToPath(new URL("../../../tools/ledgerline/src/main.ts", import.meta.url));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
};
