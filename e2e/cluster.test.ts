// Scale-out on a real 3-broker cluster (a throwaway one: three KRaft nodes, each broker and controller,
// internal topics on 3 replicas with 2 in sync). Several instances of each stage share the partitions:
// - under open-loop load with no client retries, the leader of most of the gateway's partitions is
//   SIGKILLed and brought back, then another is stopped gracefully: no client may see an error;
// - sinks go from 1 to 3 and processors from 1 to 2 mid-run, then back down, one sink by SIGKILL (clients
//   retry 503s with the same Idempotency-Key).
// Once a run drains, every accepted transaction is in the ledger exactly once, every invariant holds, no
// stage exited on its own, and every partition was consumed to its end (the processors' committed
// offsets, the sinks' stored positions).
import { names } from "@ledgerline/catalogue";
import { createReadCommittedConsumer, parseBrokers } from "@ledgerline/kafka";
import { sql } from "@ledgerline/ledger-db";
import {
  assertLedgerInvariants,
  type Pipeline,
  type StageInstance,
  startPipeline,
  ThrowawayBroker,
  testEnvironment,
} from "@ledgerline/testkit";
import { checkReplication, connectAdmin, provisionNamespace } from "@ledgerline/topology";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  awaitInLedger,
  awaitOutboxDrained,
  expectNoExits,
  type Load,
  sendTransactions,
} from "./faultSupport.ts";
import {
  describeSummary,
  errorDetails,
  errorSeconds,
  type LoadSummary,
  steadyLoad,
  summarise,
} from "./steadyLoad.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = async (load: Load, accepted: number) => {
  while (load.accepted.size < accepted) await sleep(50);
};

const admin = (pipeline: Pipeline) =>
  connectAdmin({
    bootstrapServers: pipeline.env.KAFKA_BOOTSTRAP_SERVERS!,
    registryUrl: Redacted.make(pipeline.env.SCHEMA_REGISTRY_URL!),
    namespace: pipeline.namespace.namespace,
  });

/** End offsets (read_committed) of a namespace's topic, per partition. */
const endOffsets = async (pipeline: Pipeline, topic: string): Promise<bigint[]> => {
  const consumer = createReadCommittedConsumer(
    {
      bootstrapBrokers: parseBrokers(pipeline.env.KAFKA_BOOTSTRAP_SERVERS!),
      clientId: "cluster-test-offsets",
    },
    `${pipeline.namespace.namespace}.offsets`,
  );
  try {
    return [...((await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [])];
  } finally {
    await consumer.close(true);
  }
};

/**
 * Waits until every partition was consumed to its end: the processor group's committed offsets on
 * transactions.requested, and the sink's positions (stored in Postgres with the ledger rows) on
 * transactions.validated.
 */
const awaitConsumedToEnd = async (pipeline: Pipeline, timeoutMs: number) => {
  const names = pipeline.namespace.names;
  const requested = names.topic("requested");
  const validated = names.topic("validated");
  const deadline = Date.now() + timeoutMs;
  let behind: string[] = [];
  for (;;) {
    behind = [];
    const kafka = await admin(pipeline);
    try {
      const [group] = await kafka.listConsumerGroupOffsets({ groups: [names.group("processor")] });
      const committed = new Map(
        (group?.topics.find((t) => t.name === requested)?.partitions ?? []).map((p) => [
          p.partitionIndex,
          p.committedOffset,
        ]),
      );
      (await endOffsets(pipeline, requested)).forEach((end, partition) => {
        if (end > 0n && (committed.get(partition) ?? -1n) < end)
          behind.push(`processor ${requested}[${partition}] at ${committed.get(partition)} of ${end}`);
      });
    } finally {
      await kafka.close();
    }
    const stored = new Map(
      (
        (await pipeline.database.pool.any(sql.unsafe`
          SELECT partition, next_offset FROM consumer_offsets
          WHERE group_id = ${names.group("ledgerSink")} AND topic = ${validated}`)) as readonly {
          partition: number;
          next_offset: bigint;
        }[]
      ).map((row) => [row.partition, row.next_offset]),
    );
    (await endOffsets(pipeline, validated)).forEach((end, partition) => {
      if (end > 0n && (stored.get(partition) ?? -1n) < end)
        behind.push(`sink ${validated}[${partition}] at ${stored.get(partition)} of ${end}`);
    });
    if (behind.length === 0) return;
    if (Date.now() > deadline) throw new Error(`partitions not consumed to their end: ${behind.join("; ")}`);
    await sleep(500);
  }
};

/** The fewest replicas any partition of the pipeline's topics has. */
const fewestReplicas = async (pipeline: Pipeline) => {
  const kafka = await admin(pipeline);
  try {
    const topics = (await kafka.listTopics()).filter((t) => t.startsWith(`${pipeline.namespace.namespace}.`));
    const metadata = await kafka.metadata({ topics });
    return Math.min(
      ...[...metadata.topics.values()].flatMap((topic) => topic.partitions.map((p) => p.replicas.length)),
    );
  } finally {
    await kafka.close();
  }
};

/** The node that leads the most partitions of transactions.requested (the gateway's writes). */
const requestedLeader = async (pipeline: Pipeline) => {
  const kafka = await admin(pipeline);
  try {
    const topic = pipeline.namespace.names.topic("requested");
    const partitions = (await kafka.metadata({ topics: [topic] })).topics.get(topic)?.partitions ?? [];
    const leads = new Map<number, number>();
    for (const partition of partitions) leads.set(partition.leader, (leads.get(partition.leader) ?? 0) + 1);
    return [...leads.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  } finally {
    await kafka.close();
  }
};

/**
 * Waits until every replica of the pipeline's topics is back in sync (Kafka's internal topics catch up
 * alongside; the client's metadata leaves them out).
 */
const awaitInSync = async (pipeline: Pipeline, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const kafka = await admin(pipeline);
    let lagging: string[] = [];
    try {
      const topics = (await kafka.listTopics()).filter((t) =>
        t.startsWith(`${pipeline.namespace.namespace}.`),
      );
      const metadata = await kafka.metadata({ topics, forceUpdate: true });
      lagging = [...metadata.topics.entries()].flatMap(([name, topic]) =>
        topic.partitions
          .map((p, index) => ({ p, index }))
          .filter(({ p }) => p.isr.length < p.replicas.length)
          .map(({ p, index }) => `${name}[${index}] isr ${p.isr.join(",")} of ${p.replicas.join(",")}`),
      );
    } catch (error) {
      lagging = [String(error)];
    } finally {
      await kafka.close().catch(() => undefined);
    }
    if (lagging.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`replicas not back in sync: ${lagging.slice(0, 5).join("; ")}`);
    await sleep(500);
  }
};

const finish = async (pipeline: Pipeline, load: Load, count: number) => {
  await load.done;
  const ids = [...new Set(load.accepted.values())];
  expect(ids.length).toBe(count);
  await awaitInLedger(pipeline.database.pool, ids, 180_000, pipeline);
  await awaitConsumedToEnd(pipeline, 120_000);
  await awaitOutboxDrained(pipeline.database.pool, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${pipeline.logs("ledger-sink").slice(-6_000)}`);
  });
  expectNoExits(pipeline);
  await assertLedgerInvariants(pipeline.database.pool, ids, expect, pipeline.posted);
  return ids;
};

describe("on a 3-broker cluster", () => {
  let cluster: ThrowawayBroker;
  beforeAll(async () => {
    cluster = await ThrowawayBroker.create({ nodes: 3 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  it("topics get 3 replicas and min.insync.replicas 2; a topic with fewer is reported by topology check", async () => {
    const environment = {
      bootstrapServers: cluster.bootstrap,
      registryUrl: Redacted.make(testEnvironment().registryUrl),
    };
    const ns = await provisionNamespace("replication", {
      only: ["requested"],
      environment: { ...environment, namespace: "" },
    });
    const kafka = await connectAdmin({ ...environment, namespace: ns.namespace });
    const byHand = names(`${ns.namespace}-byhand`);
    try {
      const applied = await checkReplication(kafka, ns.names, { only: ["requested"] });
      expect(applied.brokers).toBe(3);
      expect(applied.findings).toEqual([]);
      // A topic someone made with one replica (and the broker's default min ISR, 2 here: set it to 1).
      await kafka.createTopics({
        topics: [byHand.topic("validated")],
        partitions: 1,
        replicas: 1,
        configs: [{ name: "min.insync.replicas", value: "1" }],
      });
      // A new topic reaches every broker's metadata a moment after CreateTopics answers.
      let findings = "";
      for (let attempt = 0; attempt < 50 && findings === ""; attempt++) {
        findings = (await checkReplication(kafka, byHand, { only: ["validated"] })).findings.join("\n");
        if (findings === "") await sleep(200);
      }
      expect(findings).toMatch(/replication factor 1, a cluster of 3 brokers gives it 3/);
      expect(findings).toMatch(/min\.insync\.replicas=1, a cluster of 3 brokers gives it 2/);
    } finally {
      await kafka.deleteTopics({ topics: [byHand.topic("validated")] }).catch(() => undefined);
      await kafka.close();
      await ns.cleanup();
    }
  });

  it("2 processors and 2 sinks under 100 POSTs/s: a broker SIGKILLed, then one stopped gracefully; no client sees an error, nothing is lost or doubled", {
    timeout: 420_000,
  }, async () => {
    const pipeline = await startPipeline("failover", undefined, {
      bootstrapServers: cluster.bootstrap,
      opsEndpoints: true,
      startTimeoutMs: 120_000,
    });
    const extra: StageInstance[] = [];
    try {
      extra.push(pipeline.startInstance("processor", "1"), pipeline.startInstance("ledger-sink", "1"));
      await pipeline.awaitReady(120_000);
      // topology apply gave the topics as many replicas as the cluster allows.
      expect(await fewestReplicas(pipeline)).toBe(3);
      await awaitInSync(pipeline, 60_000);
      const ids: string[] = [];
      // Stages and brokers just started: their first seconds of load are slow (JIT) on a small machine.
      const warmUp = await steadyLoad(pipeline.gatewayUrl, { label: "warm-up", perSecond: 100, seconds: 3 })
        .done;
      for (const answer of warmUp) if (answer.status === 202) ids.push(answer.transactionId!);
      const results: { signal: string; during: LoadSummary }[] = [];
      for (const signal of ["SIGKILL", "SIGTERM"] as const) {
        // The leader of most of the gateway's partitions; it leads some of the stages' partitions too.
        const node = await requestedLeader(pipeline);
        const load = steadyLoad(pipeline.gatewayUrl, {
          label: `failover-${signal}`,
          perSecond: 100,
          seconds: 24,
        });
        await sleep(8_000);
        const faultAt = load.elapsed();
        await cluster.node(node).stop(signal);
        const answers = await load.done;
        await cluster.node(node).start(60_000);
        await awaitInSync(pipeline, 90_000);
        const during = summarise(answers, faultAt, faultAt + 15_000);
        results.push({ signal, during });
        console.log(
          `failover: ${signal} of node ${node} (leader of transactions.requested) after 8 s of 24 s at 100 POSTs/s; whole run: ${describeSummary(summarise(answers))}; 15 s from the ${signal}: ${describeSummary(during)}; errors by second: ${errorSeconds(answers)}; errors: ${errorDetails(answers)}`,
        );
        if (Object.keys(during.errors).length > 0)
          console.log(
            `failover: the gateway's warnings and errors\n${pipeline
              .logs("gateway")
              .split("\n")
              .filter((line) => /WARN|ERROR/.test(line))
              .slice(-40)
              .join("\n")}`,
          );
        for (const answer of answers) if (answer.status === 202) ids.push(answer.transactionId!);
      }
      expect(results.map(({ signal, during }) => ({ signal, errors: during.errors }))).toEqual([
        { signal: "SIGKILL", errors: {} },
        { signal: "SIGTERM", errors: {} },
      ]);
      await awaitInLedger(pipeline.database.pool, ids, 180_000, pipeline);
      await awaitConsumedToEnd(pipeline, 120_000);
      await awaitOutboxDrained(pipeline.database.pool, 60_000);
      expectNoExits(pipeline);
      for (const instance of extra)
        expect(await Promise.race([instance.exited, sleep(0).then(() => "running")])).toBe("running");
      await assertLedgerInvariants(pipeline.database.pool, ids, expect, pipeline.posted);
    } finally {
      await pipeline.stop();
    }
  });

  it("sinks 1→3 and processors 1→2 mid-run, then back down with a SIGKILL: exactly once, every partition consumed", {
    timeout: 420_000,
  }, async () => {
    const COUNT = 3_000;
    const pipeline = await startPipeline("scale", undefined, {
      bootstrapServers: cluster.bootstrap,
      opsEndpoints: true,
      startTimeoutMs: 120_000,
    });
    try {
      await pipeline.awaitReady(120_000);
      const load = sendTransactions(pipeline.gatewayUrl, COUNT, {
        label: "scale",
        concurrency: 6,
        spacingMs: 15,
      });
      await until(load, COUNT * 0.15);
      const sink1 = pipeline.startInstance("ledger-sink", "1");
      const sink2 = pipeline.startInstance("ledger-sink", "2");
      const processor1 = pipeline.startInstance("processor", "1");
      await until(load, COUNT * 0.4);
      await sink1.kill("SIGKILL");
      await until(load, COUNT * 0.65);
      // Scale back down: a stopped instance finishes its batch and exits 0.
      await Promise.all([sink2.kill("SIGTERM"), processor1.kill("SIGTERM")]);
      expect((await sink2.exited).code).toBe(0);
      expect((await processor1.exited).code).toBe(0);
      await finish(pipeline, load, COUNT);
      // Each assignment claimed its partitions (a new epoch); a batch of a sink that had lost one was refused.
      const claims = await pipeline.database.pool.oneFirst(
        sql.unsafe`SELECT coalesce(sum(epoch), 0)::int FROM sink_assignments`,
      );
      const refused =
        [pipeline.logs("ledger-sink"), sink1.logs(), sink2.logs()]
          .join("\n")
          .split("claimed by another instance").length - 1;
      console.log(
        `scale: 1→3 sinks, 1→2 processors and back, a sink SIGKILLed; ${claims} partition claims, ${refused} stale sink batches refused; ${load.retries} client retries`,
      );
    } finally {
      await pipeline.stop();
    }
  });
});

describe("instance ids", () => {
  it("a second processor started with a live one's id is refused with a clear error, and the first goes on", {
    timeout: 120_000,
  }, async () => {
    const pipeline = await startPipeline("dupid", ["processor"], { opsEndpoints: true });
    try {
      await pipeline.awaitReady(60_000);
      const duplicate = pipeline.startInstance("processor", "0");
      const exit = await duplicate.exited;
      expect(exit.code).not.toBe(0);
      expect(duplicate.logs()).toMatch(/instance id \S+processor\.0 is in use by a live process/);
      expect(duplicate.logs()).toMatch(/PROCESSOR_INSTANCE_ID/);
      // The running one was not fenced: it is still ready, and only the duplicate exited.
      await pipeline.awaitReady(10_000);
      expect(pipeline.exits()).toHaveLength(1);
    } finally {
      await pipeline.stop();
    }
  });
});
