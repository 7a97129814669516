// Kafka's known transaction anomaly, reproduced on purpose (Jepsen's Bufstream analysis, 2024; KAFKA-17754).
// Under Transactions V1 a producer keeps its epoch from one transaction to the next, so a request of
// transaction T1 that arrives late is taken as part of the next one. Here the exactly-once runner (the
// processor's machinery) goes through a proxy that holds T1's EndTxn(commit) past the client's request
// timeout and delivers it on the dead connection once the next transaction has produced its first chunk of
// outputs; that transaction's second chunk is held until then, so the interleaving is the same on every run.
// Then the output topic is read from outside: each input's outputs committed exactly once, none from a
// run the stage saw fail, none torn.
//
// Before the fix (commit "e2e: a delayed EndTxn reproduces ..."), on a broker with transaction.version 2 and
// the client on Transactions V1: the client retried the timed-out EndTxn with the same epoch on a new
// connection (T1 committed), began T2 with that epoch, and the late EndTxn committed T2's first 500 outputs;
// T2's second Produce was refused (TRANSACTION_ABORTABLE), its abort too (INVALID_TXN_STATE), and the
// batch, redone by a new producer, wrote those 500 again: 500 duplicates, 500 outputs of runs the stage
// saw fail, one input's outputs torn (200 of 300 visible).
// Now: on transaction.version 2 the client speaks Transactions V2 (patches/: EndTxn v5 bumps the epoch
// every transaction, so the late EndTxn is fenced); on a broker without it (0: Kafka 3.x, or a cluster
// upgraded without finalizing it) the client does not retry the ambiguous EndTxn, and the runner replaces
// the producer, whose new epoch fences the late one.
import {
  createAdmin,
  createIdempotentProducer,
  type KafkaConnection,
  type RecordProducer,
  runExactlyOnce,
} from "@ledgerline/kafka";
import { ApiKeys, freePort, KafkaWireProxy, readToEnd, ThrowawayBroker } from "@ledgerline/testkit";
import { Effect, Fiber, References } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditedOutput, auditOutputs, describeAudit } from "./transactionAudit.ts";

const INPUTS = 6;
/** Outputs per input: a batch of two inputs makes 600 outputs, sent as two Produce requests (500 + 100). */
const FAN_OUT = 300;
const TRANSACTIONAL_ID = "delayed-endtxn-stage";
const GROUP = "delayed-endtxn";
const TOPICS = { in: "in", out: "out", dlq: "dlq" } as const;
const TRANSACTION_APIS = new Set<number>([
  ApiKeys.InitProducerId,
  ApiKeys.AddPartitionsToTxn,
  ApiKeys.Produce,
  ApiKeys.AddOffsetsToTxn,
  ApiKeys.TxnOffsetCommit,
  ApiKeys.EndTxn,
]);

/** Every record of a topic from its start to its current end. */
const readTopic = (connection: KafkaConnection, topic: string, committed: boolean) =>
  readToEnd<AuditedOutput>({
    connection,
    topic,
    committed,
    withinMs: 30_000,
    decode: (message) => ({ key: message.key, run: JSON.parse(message.value.toString()).run }),
  });

describe.each([2, 0])("a delayed EndTxn, transaction.version %i (Jepsen's Bufstream analysis)", (version) => {
  let broker: ThrowawayBroker;
  let proxy: KafkaWireProxy;
  beforeAll(async () => {
    const proxyPort = await freePort();
    broker = await ThrowawayBroker.create({
      proxiedListener: { advertisedPort: proxyPort },
      features: { "transaction.version": version },
    });
    proxy = await KafkaWireProxy.start({ port: proxyPort, upstreamPort: broker.proxiedPort });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await broker?.destroy();
  });

  it("commits each input's outputs once, and nothing a failed run wrote", { timeout: 90_000 }, async () => {
    const direct: KafkaConnection = { bootstrapBrokers: [broker.bootstrap], clientId: "outside" };
    const admin = createAdmin(direct);
    await admin.createTopics({ topics: [TOPICS.in, TOPICS.dlq], partitions: 1, replicas: 1 });
    await admin.createTopics({ topics: [TOPICS.out], partitions: 2, replicas: 1 });
    const producer: RecordProducer = createIdempotentProducer(direct);
    await producer.send({
      messages: Array.from({ length: INPUTS }, (_, i) => ({
        topic: TOPICS.in,
        key: `in-${i}`,
        value: Buffer.from(`${i}`),
      })),
    });
    await producer.close();

    const committedRuns = new Set<number>();
    const endTxn = proxy.hold((r) => r.apiKey === ApiKeys.EndTxn && r.commit === true);
    const runner = Effect.runFork(stage(proxy.port, committedRuns));
    try {
      // T1's EndTxn(commit) is held; the client gives up on it after 2 s. The next transaction's second
      // Produce is held too, so that the late EndTxn lands after its first one, in the middle of it.
      const held = await endTxn.held;
      let produces = 0;
      const secondProduce = proxy.hold((r) => r.apiKey === ApiKeys.Produce && ++produces === 2);
      await secondProduce.held;
      const late = await endTxn.release();
      // The coordinator writes its markers after it answers: let them land before the transaction goes on.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await secondProduce.release();
      await untilCommitted(direct, proxy);

      const expectedKeys = Array.from(
        { length: INPUTS * FAN_OUT },
        (_, n) => `${Math.floor(n / FAN_OUT)}-${n % FAN_OUT}`,
      );
      const audit = async (committed: boolean) =>
        auditOutputs(await readTopic(direct, TOPICS.out, committed), expectedKeys, FAN_OUT, committedRuns);
      const committed = await audit(true);
      const uncommitted = await audit(false);
      console.log(
        [
          `transaction.version ${version}: held ${held.request.apiName} v${held.request.apiVersion} corr ${held.request.correlationId} ` +
            `(conn ${held.connection}, epoch ${held.request.producerEpoch}); delivered late: ${late.response?.errors.join(",") || "ok"}`,
          describeAudit("read_committed", committed),
          describeAudit("read_uncommitted", uncommitted),
          "the protocol exchange (transaction APIs):",
          proxy.describe((e) => TRANSACTION_APIS.has(e.request.apiKey)),
        ].join("\n"),
      );
      // Transactions V2 where the cluster has it, V1 (EndTxn v4) where it does not.
      expect(held.request.apiVersion).toBe(version >= 2 ? 5 : 4);
      // The late EndTxn came with an epoch the coordinator no longer accepts.
      expect(late.response?.errors).toEqual(["PRODUCER_FENCED"]);
      expect(committed.duplicates).toBe(0);
      expect(committed.missing).toBe(0);
      expect(committed.abortedReads).toBe(0);
      expect([...committed.torn]).toEqual([]);
    } finally {
      await Effect.runPromise(Fiber.interrupt(runner));
      await admin.close();
    }
  });
});

/** The runner with a trivial transform (each input → FAN_OUT outputs naming their run), every client through the proxy. */
const stage = (proxyPort: number, committedRuns: Set<number>) => {
  let runs = 0;
  return runExactlyOnce<keyof typeof TOPICS>({
    // A request unanswered for 2 s is given up (and its connection closed).
    connection: {
      bootstrapBrokers: [`127.0.0.1:${proxyPort}`],
      clientId: "endtxn-stage",
      requestTimeoutMs: 2_000,
    },
    stage: "delayed-endtxn",
    groupId: GROUP,
    transactionalId: TRANSACTIONAL_ID,
    inputTopics: [TOPICS.in],
    topicName: (id) => TOPICS[id],
    encoder: { encode: async (_, value) => Buffer.from(JSON.stringify(value)) },
    dlqTopic: "dlq",
    transform: (record) => {
      const run = ++runs;
      return Array.from({ length: FAN_OUT }, (_, i) => ({
        topicId: "out" as const,
        key: `${record.offset}-${i}`,
        value: { run },
      }));
    },
    maxBatchSize: 2,
    retry: { baseMs: 100, maxMs: 500 },
    observer: {
      batchCommitted: (_batch, outputs) => {
        for (const output of outputs as unknown as readonly { value: Buffer }[])
          committedRuns.add(JSON.parse(output.value.toString()).run);
      },
      transactionAborted: () => undefined,
      retry: () => undefined,
    },
  }).pipe(Effect.scoped, Effect.provideService(References.MinimumLogLevel, "Warn"));
};

/** Until the group's stable committed offset covers every input. */
const untilCommitted = async (direct: KafkaConnection, proxy: KafkaWireProxy) => {
  const admin = createAdmin(direct);
  try {
    for (let waited = 0; ; waited += 200) {
      const [group] = await admin.listConsumerGroupOffsets({
        groups: [{ groupId: GROUP, topics: [{ name: TOPICS.in, partitionIndexes: [0] }] }],
        requireStable: true,
      });
      if ((group?.topics[0]?.partitions[0]?.committedOffset ?? -1n) >= BigInt(INPUTS)) return;
      if (waited > 45_000) throw new Error(`inputs not all committed\n${proxy.describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.close();
  }
};
