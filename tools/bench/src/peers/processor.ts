// Our processor against the same rules on Kafka Streams (exactly_once_v2), over the same pre-filled
// transactions.requested, in alternating rounds. Each side runs in a process of its own and writes fresh
// validated/rejected topics, which this process reads read_committed (a record counts once its transaction
// committed): records/s over the backlog from the first output seen to the last, end-to-end latency (send →
// committed output seen) over a steady trickle after the drain, and every transaction exactly once on the
// right topic.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TransactionRequested } from "@ledgerline/contracts";
import { createIdempotentProducer, type KafkaConnection, type RecordProducer } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { createTestNamespace, REPO_ROOT, type TestNamespace, testEnvironment } from "@ledgerline/testkit";
import type { PeersSettings } from "./Config.ts";
import { OutputReader, runToEnd, type StageProcess, startProcess, waitFor } from "./processes.ts";
import { exactlyOnce, percentile, rateFrom } from "./stats.ts";

export type ProcessorSide = "ledgerline" | "kafka-streams";

export interface ProcessorRound {
  readonly side: ProcessorSide;
  readonly round: number;
  /** Records/s over the backlog after the warm-up share (Config.warmup), and over all of it. */
  readonly perSecond: number;
  readonly wholePerSecond: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly validated: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly missing: number;
  /** Transactions on the wrong topic (validated where the rules reject, or the reverse). */
  readonly misrouted: number;
}

const CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CHF", "BHD"] as const;
const MERCHANTS = ["Amazon Mktp EU", "Starbucks 1234", "Corner Shop", "Shell Station 12", "M1979787155"];

/** Request n: about 1 in 8 fails validation (unsupported currency, zero amount, no merchant). */
export const request = (n: number): { readonly value: TransactionRequested; readonly valid: boolean } => {
  const unsupported = n % 20 === 7;
  const zero = n % 50 === 13;
  const noMerchant = n % 97 === 5;
  const now = new Date();
  return {
    valid: !unsupported && !zero && !noMerchant,
    value: {
      transaction_id: randomUUID(),
      account_id: `ACC-${n % 1_000}`,
      amount_minor: zero ? 0n : BigInt(100 + ((n * 7_919) % 2_000_000)),
      currency: unsupported ? "XXX" : CURRENCIES[n % CURRENCIES.length]!,
      merchant_name: noMerchant ? "   " : MERCHANTS[n % MERCHANTS.length]!,
      occurred_at: now,
      accepted_at: now,
      client_id: "bench",
      idempotency_key: null,
      metadata: { type: n % 11 === 0 ? "TRANSFER" : "PAYMENT" },
      type: "payment",
      counterparty_account_id: null,
      original_transaction_id: null,
    },
  };
};

interface Batch {
  readonly ids: Set<string>;
  readonly valid: Set<string>;
}

/** Sends requests `from`..`from + count - 1` in one produce call, noting each one's send time in `sent`. */
const produceRequests = async (
  producer: RecordProducer,
  codec: RegistryCodec,
  topic: string,
  from: number,
  count: number,
  batch: Batch,
  sent?: Map<string, number>,
) => {
  const chunk = Array.from({ length: count }, (_, i) => request(from + i));
  const values = await codec.encodeMany(
    "requested",
    chunk.map((r) => r.value),
  );
  const now = Date.now();
  for (const r of chunk) {
    batch.ids.add(r.value.transaction_id);
    if (r.valid) batch.valid.add(r.value.transaction_id);
    sent?.set(r.value.transaction_id, now);
  }
  await producer.send({
    messages: chunk.map((r, i) => ({ topic, key: r.value.account_id, value: values[i]! })),
  });
};

export const runProcessorComparison = async (
  settings: PeersSettings,
  log: (line: string) => void,
): Promise<ProcessorRound[]> => {
  const env = testEnvironment();
  const connection = (clientId: string): KafkaConnection => ({ bootstrapBrokers: env.brokers, clientId });
  const main = await createTestNamespace("peers", { only: ["requested", "fxRates"] });
  const results: ProcessorRound[] = [];
  try {
    // The FX table both sides join against: the reference rates, published by the processor's own script.
    await runToEnd(process.execPath, ["apps/processor/src/publishFxRates.ts"], {
      ...process.env,
      LEDGERLINE_NAMESPACE: main.namespace,
    });

    const codec = new RegistryCodec({ url: env.registryUrl, names: main.names });
    const backlog: Batch = { ids: new Set(), valid: new Set() };
    const filled = Date.now();
    const producer = createIdempotentProducer(connection("peers-fill"));
    try {
      for (let from = 0; from < settings.records; from += 5_000) {
        const count = Math.min(5_000, settings.records - from);
        await produceRequests(producer, codec, main.names.topic("requested"), from, count, backlog);
      }
    } finally {
      await producer.close();
    }
    log(
      `pre-filled ${settings.records} requests (${settings.records - backlog.valid.size} invalid) in ${((Date.now() - filled) / 1_000).toFixed(1)} s`,
    );

    for (let round = 1; round <= settings.rounds; round++) {
      const sides: ProcessorSide[] =
        round % 2 === 1 ? ["ledgerline", "kafka-streams"] : ["kafka-streams", "ledgerline"];
      for (const side of sides) {
        const result = await processorRound(settings, main, backlog, side, round, connection, log);
        results.push(result);
        log(
          `round ${round} ${side}: ${Math.round(result.perSecond)} records/s (whole drain ${Math.round(result.wholePerSecond)}), latency p50 ${result.latencyP50} ms p99 ${result.latencyP99} ms, ` +
            `${result.validated} validated / ${result.rejected} rejected, ${result.duplicates} duplicates, ${result.missing} missing, ${result.misrouted} misrouted`,
        );
      }
    }
  } finally {
    await main.cleanup();
  }
  return results;
};

const processorRound = async (
  settings: PeersSettings,
  main: TestNamespace,
  backlog: Batch,
  side: ProcessorSide,
  round: number,
  connection: (clientId: string) => KafkaConnection,
  log: (line: string) => void,
): Promise<ProcessorRound> => {
  const env = testEnvironment();
  // This round's own topics: the latency trickle's input and the side's outputs.
  const out = await createTestNamespace(`peers-${side === "ledgerline" ? "ll" : "ks"}${round}`, {
    only: ["requested", "validated", "rejected", "dlq"],
  });
  const outputs = [out.names.topic("validated"), out.names.topic("rejected")];
  const stateDir = await mkdtemp(join(tmpdir(), "ledgerline-peers-"));
  const reader = new OutputReader(connection("peers-reader"), `${out.namespace}.reader`, outputs);
  let stage: StageProcess | undefined;
  try {
    await reader.start();
    const inputs = [main.names.topic("requested"), out.names.topic("requested")];
    log(`round ${round} ${side}: draining ${settings.records} requests`);
    stage =
      side === "ledgerline"
        ? startProcess(
            "our processor",
            process.execPath,
            [
              "apps/processor/scripts/peerProcessor.ts",
              "--namespace",
              main.namespace,
              "--outputs-namespace",
              out.namespace,
              "--inputs",
              inputs.join(","),
              "--id",
              String(round),
            ],
            process.env,
          )
        : startProcess(
            "Kafka Streams",
            settings.java,
            [
              "-cp",
              `${join(settings.peersDir, "streams/app.jar")}:${join(settings.peersDir, "streams/lib/*")}`,
              "io.ledgerline.peers.StreamsProcessor",
              `bootstrap=${env.bootstrapServers}`,
              `registry=${env.registryUrl.replace(/\/apis\/ccompat\/v7\/?$/, "/apis/registry/v2")}`,
              `application-id=${out.namespace}.streams`,
              `inputs=${inputs.join(",")}`,
              `fx=${main.names.topic("fxRates")}`,
              `validated=${out.names.topic("validated")}`,
              `rejected=${out.names.topic("rejected")}`,
              `schemas=${join(REPO_ROOT, "schemas/avro")}`,
              `merchants=${join(REPO_ROOT, "apps/processor/reference/merchant-categories.json")}`,
              "base=USD",
              `state-dir=${stateDir}`,
              "commit-interval-ms=100",
            ],
            process.env,
          );
    const running = stage;
    const check = () => {
      running.check();
      reader.check();
    };
    await waitFor(
      "the backlog's outputs",
      () => reader.records.length >= settings.records,
      settings.drainLimitMs,
      check,
    );
    const drained = reader.records.slice();

    // Latency: requests at a steady rate to the caught-up stage, each timed from its send to its output's append.
    const trickle: Batch = { ids: new Set(), valid: new Set() };
    const sent = new Map<string, number>();
    const perSend = Math.max(1, Math.round(settings.latencyRate / 50));
    const codec = new RegistryCodec({ url: env.registryUrl, names: main.names });
    const producer = createIdempotentProducer(connection("peers-trickle"));
    try {
      for (let n = 0; n < settings.latencyRecords; n += perSend) {
        const started = Date.now();
        const count = Math.min(perSend, settings.latencyRecords - n);
        const topic = out.names.topic("requested");
        await produceRequests(producer, codec, topic, settings.records + n, count, trickle, sent);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20 - (Date.now() - started))));
      }
    } finally {
      await producer.close();
    }
    const total = settings.records + settings.latencyRecords;
    await waitFor("the trickle's outputs", () => reader.records.length >= total, 60_000, check);
    // A late duplicate would show up here.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await stage.stop();
    await reader.stop();

    const records = reader.records;
    const progress = drained.map((r, i) => ({ at: r.seenAt, count: i + 1 }));
    const latencies = records.flatMap((r) => {
      const at = sent.get(r.id);
      return at === undefined ? [] : [r.seenAt - at];
    });
    const expected = new Set([...backlog.ids, ...trickle.ids]);
    const valid = new Set([...backlog.valid, ...trickle.valid]);
    const check2 = exactlyOnce(
      records.map((r) => r.id),
      expected,
    );
    const validatedTopic = out.names.topic("validated");
    const misrouted = records.filter((r) => (r.topic === validatedTopic) !== valid.has(r.id)).length;
    return {
      side,
      round,
      perSecond: rateFrom(progress, Math.ceil(settings.records * settings.warmup)),
      wholePerSecond: rateFrom(progress, 1),
      latencyP50: percentile(latencies, 0.5),
      latencyP99: percentile(latencies, 0.99),
      validated: records.filter((r) => r.topic === validatedTopic).length,
      rejected: records.filter((r) => r.topic !== validatedTopic).length,
      duplicates: check2.duplicates,
      missing: check2.missing + check2.unexpected,
      misrouted,
    };
  } finally {
    await stage?.stop();
    await reader.stop();
    await rm(stateDir, { recursive: true, force: true });
    await out.cleanup();
  }
};
