// Sink throughput vs a raw COPY of the same rows, in the same run and database, and the sink's cost with
// overdraft limits off and on.
//   npm run bench:sink            (BENCH_RECORDS=50000, BENCH_ROUNDS=2 by default)
// Pre-fills transactions.validated in a fresh namespace, runs the sink (postings, balances, outbox,
// offsets — not the relay) until every record is posted, alternating rounds without limits and with a
// limit on every customer account (each in a fresh schema and consumer group), then COPYs the rows the
// sink wrote (transactions, postings, outbox) into a second fresh schema. Prints transactions/s and CPU
// per transaction (the sink's process, its Postgres backends) for each mode, medians side by side.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createIdempotentProducer } from "@ledgerline/kafka";
import { LedgerDb, sql } from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import {
  createTestDatabase,
  createTestNamespace,
  sinkBenchRecord,
  testEnvironment,
} from "@ledgerline/testkit";
import { Effect, Fiber, Logger, References } from "effect";
import type { WriteResult } from "../src/domain/writePlan.ts";
import { runSinkPipeline } from "../src/SinkPipeline.ts";
import { copyBaseline } from "./copyBaseline.ts";

const N = Number(process.env.BENCH_RECORDS ?? 50_000);
/** Rounds of each mode (limits off, limits on), alternating. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
/** utime + stime of these processes, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
const ticksOf = (pids: readonly number[]) =>
  pids.reduce((sum, pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return sum + Number(fields[11]) + Number(fields[12]);
    } catch {
      return sum;
    }
  }, 0);
const BATCH = Number(process.env.LEDGER_SINK_BATCH_SIZE ?? 5_000);
const env = testEnvironment();
const connection = (clientId: string) => ({ bootstrapBrokers: env.brokers, clientId });

const ns = await createTestNamespace("bench", { only: ["validated", "rejected", "dlq"] });
const sinkDb = await createTestDatabase("bench_sink");
const copyDb = await createTestDatabase("bench_copy");
try {
  const codec = new RegistryCodec({ url: env.registryUrl, names: ns.names });
  const records = Array.from({ length: N }, (_, i) => sinkBenchRecord(i));

  // --- pre-fill the topic ---
  const producer = createIdempotentProducer(connection("bench-producer"));
  const values = await codec.encodeMany("validated", records);
  for (let i = 0; i < N; i += 1_000) {
    await producer.send({
      messages: records.slice(i, i + 1_000).map((r, j) => ({
        topic: ns.names.topic("validated"),
        key: r.account_id,
        value: values[i + j] as Buffer,
      })),
    });
  }
  await producer.close();
  console.log(`pre-filled ${N} records on ${ns.names.topic("validated")}`);

  // --- the sink, limits off and on, alternating rounds (fresh schema and consumer group each) ---
  const customers = [...new Set(records.map((r) => `customer:${r.client_id}:${r.account_id}`))];
  const backendsOf = async (applicationName: string) =>
    (await sinkDb.pool.anyFirst(sql.unsafe`
      SELECT pid FROM pg_stat_activity WHERE application_name = ${applicationName}`)) as readonly number[];
  const runSink = async (round: number, limits: boolean) => {
    const db = round === 0 ? sinkDb : await createTestDatabase(`bench_sink_${round}`);
    if (limits) {
      // Every customer account limited, far enough that every debit fits: the same rows are written, and
      // each debit is checked against its limit.
      await db.pool.query(sql.unsafe`
        INSERT INTO account_balances (ledger_account, currency, overdraft_limit_minor)
        SELECT a, 'USD', 1000000000000000 FROM unnest(${sql.array(customers, "text")}) AS a`);
    }
    let posted = 0;
    let firstBatchAt = 0;
    let firstBatchPosted = 0;
    let lastBatchAt = 0;
    let cpuAtFirst = process.cpuUsage();
    let cpuAtLast = cpuAtFirst;
    let pgAtFirst = new Map<number, number>();
    const appName = `ledgerline-bench-sink-${round}`;
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const onBatch = (result: WriteResult) => {
      const now = performance.now();
      if (firstBatchAt === 0) {
        firstBatchAt = now;
        firstBatchPosted = result.posted;
        cpuAtFirst = process.cpuUsage();
        // The sink's Postgres backends (its pool's application_name): their CPU is the database's share.
        void backendsOf(appName).then((pids) => {
          pgAtFirst = new Map(pids.map((pid) => [pid, ticksOf([pid])]));
        });
      }
      posted += result.posted;
      lastBatchAt = now;
      cpuAtLast = process.cpuUsage();
      if (posted >= N) done();
    };
    const fiber = Effect.runFork(
      runSinkPipeline({
        connection: connection(`bench-sink-${round}`),
        names: ns.names,
        codec,
        groupId: `${ns.names.group("ledgerSink")}.round-${round}`,
        batchSize: BATCH,
        batchWaitMs: 50,
        retryBaseMs: 100,
        retryMaxMs: 2_000,
        onBatch,
      }).pipe(
        Effect.scoped,
        Effect.provide(
          LedgerDb.layer({
            databaseUrl: `${db.url}${db.url.includes("?") ? "&" : "?"}application_name=${appName}`,
            maximumPoolSize: 4,
          }),
        ),
        Effect.provide(Logger.layer([Logger.consoleJson])),
        Effect.provideService(References.MinimumLogLevel, "Warn"),
      ),
    );
    await finished;
    // A backend opened after the first batch spent all its time inside the measured span.
    const pgTicks = (await backendsOf(appName)).reduce(
      (sum, pid) => sum + ticksOf([pid]) - (pgAtFirst.get(pid) ?? 0),
      0,
    );
    await Effect.runPromise(Fiber.interrupt(fiber));
    if (db !== sinkDb) await db.cleanup();
    // Timed from the first committed batch to the last (excludes the one-off consumer group join).
    const measured = posted - firstBatchPosted;
    const cpu = (cpuAtLast.user + cpuAtLast.system - cpuAtFirst.user - cpuAtFirst.system) / measured;
    return {
      limits,
      seconds: (lastBatchAt - firstBatchAt) / 1_000,
      rate: measured / ((lastBatchAt - firstBatchAt) / 1_000),
      sinkMicros: cpu,
      postgresMicros: (pgTicks * 1_000_000) / CLOCK_TICKS / measured,
    };
  };
  const rounds: Awaited<ReturnType<typeof runSink>>[] = [];
  for (let round = 0; round < 2 * ROUNDS; round++) rounds.push(await runSink(round, round % 2 === 1));
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  };
  const summary = (limits: boolean) => {
    const of = rounds.filter((r) => r.limits === limits);
    return {
      rate: median(of.map((r) => r.rate)),
      sink: median(of.map((r) => r.sinkMicros)),
      postgres: median(of.map((r) => r.postgresMicros)),
    };
  };
  const off = summary(false);
  const on = summary(true);
  for (const [n, r] of rounds.entries())
    console.log(
      `round ${n + 1} limits ${r.limits ? "on " : "off"}: ${Math.round(r.rate)} tx/s; CPU per tx: sink ${r.sinkMicros.toFixed(1)} µs, its Postgres backends ${r.postgresMicros.toFixed(1)} µs`,
    );
  console.log(
    `limits off / on (medians of ${ROUNDS}): ${Math.round(off.rate)} / ${Math.round(on.rate)} tx/s (${((on.rate / off.rate) * 100).toFixed(0)}%); sink ${off.sink.toFixed(1)} / ${on.sink.toFixed(1)} µs per tx; Postgres ${off.postgres.toFixed(1)} / ${on.postgres.toFixed(1)} µs per tx`,
  );
  const sinkRate = off.rate;

  // --- raw COPY of the same rows the sink wrote ---
  const { copySeconds, postings, outboxRows } = await copyBaseline(records, copyDb.url);
  const copyRate = N / copySeconds;

  console.log(
    `sink (limits off, median): ${Math.round(sinkRate)} tx/s (batch ${BATCH}; postings, balances, outbox, offsets)`,
  );
  console.log(
    `COPY: ${N} transactions (+${postings} postings, ${outboxRows} outbox rows) in ${copySeconds.toFixed(2)} s = ${Math.round(copyRate)} tx/s`,
  );
  console.log(`ratio: sink / COPY = ${((sinkRate / copyRate) * 100).toFixed(1)}% (goal ≥ 25%)`);
} finally {
  await Promise.all([ns.cleanup(), sinkDb.cleanup(), copyDb.cleanup()]);
}
process.exit(0);
