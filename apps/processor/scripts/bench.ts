// Processor throughput over a pre-filled topic: exactly-once, and with --at-least-once the same drain without
// transactions, in one run. Prints records/s, end-to-end latency and the ratio. Not a test.
//   node apps/processor/scripts/bench.ts --at-least-once [--records 50000] [--batch 2000] [--interval 100] [--rounds 2]
import { parseArgs } from "node:util";
import { createIdempotentProducer, parseBrokers, runExactlyOnce } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { environmentFrom, provisionNamespace } from "@ledgerline/topology";
import { Effect, Fiber, Redacted, References } from "effect";
import { publishFxRates } from "../src/publishFxRates.ts";
import { benchServices, benchTransform } from "./benchProcessor.ts";

const { values: args } = parseArgs({
  options: {
    records: { type: "string", default: "50000" },
    batch: { type: "string", default: "2000" },
    interval: { type: "string", default: "100" },
    "at-least-once": { type: "boolean", default: false },
    rounds: { type: "string", default: "2" },
  },
});
const total = Number(args.records);
const environment = environmentFrom();
const brokers = parseBrokers(environment.bootstrapServers);
const ns = await provisionNamespace("bench");
const connection = { bootstrapBrokers: brokers, clientId: "ledgerline-bench" };
const codec = new RegistryCodec({ url: Redacted.value(environment.registryUrl), names: ns.names });

try {
  await publishFxRates({ connection, registryUrl: environment.registryUrl, names: ns.names });
  // Pre-fill: realistic requests, ~200-byte Avro values, keyed by account.
  const fillStarted = Date.now();
  const producer = createIdempotentProducer(connection);
  const currencies = ["USD", "EUR", "GBP", "JPY", "CHF"];
  for (let offset = 0; offset < total; offset += 5_000) {
    const chunk = Array.from({ length: Math.min(5_000, total - offset) }, (_, i) => {
      const n = offset + i;
      return {
        transaction_id: crypto.randomUUID(),
        account_id: `ACC-${n % 1_000}`,
        amount_minor: BigInt(100 + (n % 100_000)),
        currency: currencies[n % currencies.length]!,
        merchant_name: n % 3 === 0 ? "Amazon Mktp EU" : n % 3 === 1 ? "Starbucks 1234" : "Corner Shop",
        occurred_at: new Date(),
        accepted_at: new Date(),
        client_id: "bench",
        idempotency_key: null,
        metadata: { type: "PAYMENT" },
      };
    });
    const values = await codec.encodeMany("requested", chunk);
    await producer.send({
      messages: chunk.map((r, i) => ({
        topic: ns.names.topic("requested"),
        key: r.account_id,
        value: values[i]!,
      })),
    });
  }
  await producer.close();
  console.log(
    `pre-filled ${total} records in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s (${ns.namespace})`,
  );

  const settings = {
    bootstrapServers: environment.bootstrapServers,
    registryUrl: environment.registryUrl,
    namespace: ns.namespace,
    instanceId: "bench",
    batchSize: Number(args.batch),
    commitIntervalMs: Number(args.interval),
  };

  const drain = (mode: "exactly-once" | "at-least-once", round: number) =>
    Effect.gen(function* () {
      const { codec: decodeCodec, transform } = yield* benchTransform;
      let done = 0;
      let firstBatchAt = 0;
      // This process's CPU from the first commit on: the stage's cost per record, steadier than a rate on 2 shared cores.
      let cpuAtFirst: NodeJS.CpuUsage | undefined;
      let recordsAtFirst = 0;
      let pending: number[] = [];
      const latencies: number[] = [];
      const batchDurations: number[] = [];
      const finished = Promise.withResolvers<void>();
      const fiber = yield* Effect.forkChild(
        runExactlyOnce({
          connection,
          stage: `bench-${mode}`,
          groupId: `${ns.names.group("processor")}.${mode}.${round}`,
          transactionalId: ns.names.transactionalId("processor", `bench-${mode}-${round}`),
          inputTopics: [ns.names.topic("requested")],
          topicName: ns.names.topic,
          encoder: decodeCodec,
          dlqTopic: "dlq",
          transform: (record) => {
            pending.push(Number(record.timestamp));
            return transform(record);
          },
          maxBatchSize: settings.batchSize,
          maxBatchTimeMs: settings.commitIntervalMs,
          mode,
          onBatch: (stats) => {
            const now = Date.now();
            if (firstBatchAt === 0) firstBatchAt = now - stats.durationMs;
            if (!cpuAtFirst) {
              cpuAtFirst = process.cpuUsage();
              recordsAtFirst = done + stats.records;
            }
            for (const timestamp of pending) latencies.push(now - timestamp);
            pending = [];
            batchDurations.push(stats.durationMs);
            done += stats.records;
            if (done >= total) finished.resolve();
          },
        }),
      );
      const started = Date.now();
      yield* Effect.promise(() => finished.promise);
      const elapsed = (Date.now() - firstBatchAt) / 1000;
      const cpu = process.cpuUsage(cpuAtFirst);
      const cpuPerRecord = (cpu.user + cpu.system) / Math.max(1, done - recordsAtFirst);
      yield* Fiber.interrupt(fiber);
      const pct = (values: number[], p: number) => {
        const sorted = [...values].sort((a, b) => a - b);
        return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      };
      return {
        mode,
        records: done,
        seconds: elapsed,
        startupSeconds: (firstBatchAt - started) / 1000,
        perSecond: done / elapsed,
        ageP50: pct(latencies, 0.5),
        ageMax: pct(latencies, 1),
        batchP50: pct(batchDurations, 0.5),
        batchP99: pct(batchDurations, 0.99),
        batches: batchDurations.length,
        cpuPerRecord,
      };
    });

  const program = Effect.gen(function* () {
    // Alternate the modes so JIT warm-up and page cache favour neither.
    const results = [];
    for (let round = 0; round < Number(args.rounds); round++) {
      if (args["at-least-once"]) results.push(yield* drain("at-least-once", round));
      results.push(yield* drain("exactly-once", round));
    }
    return results;
  }).pipe(
    Effect.provideService(References.MinimumLogLevel, "Warn"),
    Effect.scoped,
    Effect.provide(benchServices(settings)),
  );

  const results = await Effect.runPromise(program);
  for (const r of results) {
    console.log(
      `${r.mode.padEnd(14)} ${r.records} records in ${r.seconds.toFixed(2)} s = ${Math.round(r.perSecond)} records/s, ` +
        `${r.cpuPerRecord.toFixed(1)} µs CPU per record | ` +
        `${r.batches} transactions, batch fetch→commit p50 ${r.batchP50} ms p99 ${r.batchP99} ms | ` +
        `end-to-end (produce→committed output) p50 ${(r.ageP50 / 1000).toFixed(1)} s, max ${(r.ageMax / 1000).toFixed(1)} s`,
    );
  }
  const best = (mode: string) =>
    Math.max(0, ...results.filter((r) => r.mode === mode).map((r) => r.perSecond));
  const eos = best("exactly-once");
  const alo = best("at-least-once");
  console.log(
    `batch ${settings.batchSize}, commit interval ${settings.commitIntervalMs} ms: ` +
      `best exactly-once ${Math.round(eos)} records/s` +
      (alo > 0
        ? `, best at-least-once ${Math.round(alo)} records/s, ratio ${((eos / alo) * 100).toFixed(1)}%`
        : ""),
  );
} finally {
  await ns.cleanup();
}
