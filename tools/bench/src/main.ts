// `npm run bench:e2e -- [--profile full|quick|hot] [--steps "single:1000,2000;batch:40,70"] [--seconds N]
//   [--batch-size N] [--mixes spread,hot-merchant,cash] [--statements] [--out DIR]`
//
// Starts a pipeline of its own through the project's scripts (Postgres with its stock buffers, Kafka, the
// registry, the apps under the supervisor, as `npm start` runs them), then climbs a ladder of offered
// rates with k6: single POSTs, then batch POSTs. Each step runs for --seconds (once per mix of --mixes, in
// turn), then waits until every transaction it got accepted is in the ledger. For each step it prints the
// offered, accepted and posted rates, accept and accept→posted latency, and the CPU µs each process spent
// per posted transaction (from /proc, over the load and the drain), and each mix's posted rate as a share
// of the same step's `spread` row. Writes bench.json, bench.html and, when Chromium is
// there, bench.png into --out (default .ledgerline/bench/<time>/).
import { mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createLedgerPool } from "@ledgerline/ledger-db";
import { chromiumAvailable, REPO_ROOT, ScriptedPipeline, screenshot } from "@ledgerline/testkit";
import { benchSettings } from "./Config.ts";
import { cpuSeconds, reapedChildrenSeconds } from "./cpu.ts";
import {
  BASELINE_MIX,
  offeredRate,
  PROCESSES,
  percent,
  postedVsBaseline,
  renderTable,
  renderVerdict,
  type StepResult,
  sustained,
} from "./ladder.ts";
import { k6Binary, runLoad } from "./load.ts";
import { recordedSince, resetStatements, stepTimings, topStatements } from "./measure.ts";
import { writeReport } from "./report.ts";

const settings = benchSettings(process.argv.slice(2));
const startedAt = new Date().toISOString();
const outDir = settings.outDir ?? join(REPO_ROOT, ".ledgerline", "bench", startedAt.replace(/[:.]/g, "-"));
mkdirSync(outDir, { recursive: true });
const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * How long to wait before counting the step's rows again, with `left` still to come. Each count reads every
 * row of the step, so a backlog of 100,000 counted every 100 ms cost Postgres more than the ledger writes
 * it was waiting for (15–29 µs per transaction at 6,000–8,000/s offered). Far from the end the wait is about
 * half the time the rest needs at 5,000 posted/s (at most 2 s); near it, 100 ms.
 */
const drainPollMs = (left: number) => Math.min(2_000, Math.max(100, left / 10));

const k6 = k6Binary();
log(
  `profile ${settings.profile}: ${settings.steps.length} steps of ${settings.seconds} s, mixes ` +
    `${settings.mixes.join(", ")}; starting a private pipeline`,
);
const pipeline = await ScriptedPipeline.start({
  processors: 1,
  sinks: 1,
  processorDelivery: "exactly-once",
  log,
  // The stock server's settings (Debian's postgresql.conf), not the small test fixture's.
  postgresSettings: [
    "shared_buffers = 128MB",
    "max_wal_size = 1GB",
    ...(settings.statements
      ? ["shared_preload_libraries = 'pg_stat_statements'", "pg_stat_statements.track_planning = on"]
      : []),
  ],
  // As `npm start` runs it: the relay inside the sink, the stack's default heaps.
  env: {
    SUPERVISOR_APPS: "ledger-sink,processor,gateway",
    KAFKA_HEAP: "-Xms256m -Xmx512m",
    REGISTRY_HEAP: "-Xms64m -Xmx384m",
  },
});

/** Root pids of each process group; Postgres is the postmaster and its backends. */
const processGroups = (): Record<string, number[]> => {
  const apps = pipeline.status().apps;
  const pidsOf = (app: string) => apps.filter((a) => a.app === app && a.pid).map((a) => a.pid as number);
  const one = (pid: number | undefined) => (pid ? [pid] : []);
  return {
    gateway: pidsOf("gateway"),
    processor: pidsOf("processor"),
    "ledger-sink": pidsOf("ledger-sink"),
    kafka: one(pipeline.pidOf("kafka")),
    postgres: one(pipeline.postgres.pid()),
    registry: one(pipeline.pidOf("registry")),
  };
};

const results: StepResult[] = [];
let exitCode = 0;
// Everything after the pipeline's start runs inside this try, so any failure still stops the pipeline.
let pool: Awaited<ReturnType<typeof createLedgerPool>> | undefined;
try {
  pool = await createLedgerPool(pipeline.env.DATABASE_URL as string, { maximumPoolSize: 1 });
  // pg_stat_statements: created by the superuser; the benchmark's own connection may read and reset it.
  if (settings.statements)
    await pipeline.postgres.asSuperuser(
      "ledgerline",
      "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; GRANT pg_read_all_stats TO ledgerline; " +
        "GRANT EXECUTE ON FUNCTION pg_stat_statements_reset(oid, oid, bigint) TO ledgerline",
    );
  const statementsPool = settings.statements ? pool : undefined;
  // Warm-up (not reported): JIT, connections, the schema caches, Kafka's first segments.
  for (const step of settings.warmUp) {
    log(`warm-up: ${settings.warmUpSeconds} s of ${step.kind} requests at ${step.requestsPerSecond}/s`);
    const warmStart = new Date();
    const warm = await runLoad(k6, pipeline.gatewayUrl, step, settings.warmUpSeconds, "spread");
    const warmDeadline = Date.now() + settings.drainLimitMs;
    while ((await recordedSince(pool, warmStart)) < warm.accepted && Date.now() < warmDeadline)
      await sleep(250);
  }

  // Each mix climbs its own ladder of each kind; its steps alternate with the other mixes' (step 1 of each
  // mix, then step 2 of each), so a drift of the machine over the run touches every mix alike.
  const unsustainedInARow = new Map<string, number>();
  const rungs = settings.steps.flatMap((step) => settings.mixes.map((mix) => ({ step, mix })));
  for (const { step, mix } of rungs) {
    const ladder = `${step.kind} ${mix}`;
    if ((unsustainedInARow.get(ladder) ?? 0) >= settings.stopAfterUnsustained) continue;
    const groups = processGroups();
    await sleep(1_000); // let the previous step's tail (relay, Kafka flushes) settle
    if (statementsPool) await resetStatements(statementsPool);
    const before: Record<string, number> = { ...cpuSeconds(groups), k6: reapedChildrenSeconds() };
    const started = new Date();
    const load = await runLoad(k6, pipeline.gatewayUrl, step, settings.seconds, mix);
    const loadEnded = new Date();
    const drainDeadline = Date.now() + settings.drainLimitMs;
    let recorded = await recordedSince(pool, started);
    while (recorded < load.accepted && Date.now() < drainDeadline) {
      await sleep(drainPollMs(load.accepted - recorded));
      recorded = await recordedSince(pool, started);
    }
    const drainedAt = Date.now();
    const after: Record<string, number> = { ...cpuSeconds(groups), k6: reapedChildrenSeconds() };
    const timings = await stepTimings(pool, started);
    const perTransaction = (name: string) =>
      recorded > 0 ? (((after[name] ?? 0) - (before[name] ?? 0)) * 1e6) / recorded : 0;
    const result: StepResult = {
      kind: step.kind,
      mix,
      batchSize: step.batchSize,
      offered: offeredRate(step),
      seconds: settings.seconds,
      accepted: load.accepted,
      acceptedRate: load.accepted / settings.seconds,
      postedRate: timings.spanMs > 0 ? recorded / (timings.spanMs / 1_000) : 0,
      drainMs: drainedAt - loadEnded.getTime(),
      drained: recorded >= load.accepted,
      dropped: load.dropped,
      failed: load.failed,
      acceptMs: load.acceptMs,
      toPostedMs: { p50: timings.p50, p99: timings.p99 },
      cpuMicros: Object.fromEntries(PROCESSES.map((name) => [name, perTransaction(name)])),
      loadToolMicros: perTransaction("k6"),
      ...(statementsPool ? { statements: await topStatements(statementsPool, recorded) } : {}),
    };
    results.push(result);
    unsustainedInARow.set(ladder, sustained(result) ? 0 : (unsustainedInARow.get(ladder) ?? 0) + 1);
    const ratio = percent(postedVsBaseline(results, result));
    log(
      `${settings.mixes.join() === BASELINE_MIX ? step.kind : ladder} ${result.offered}/s offered: accepted ` +
        `${result.acceptedRate.toFixed(0)}/s, posted ${result.postedRate.toFixed(0)}/s` +
        `${ratio ? ` (${ratio} of ${BASELINE_MIX})` : ""}, p99 accept→posted ${result.toPostedMs.p99.toFixed(0)} ms, ` +
        `drain ${(result.drainMs / 1_000).toFixed(1)} s${result.dropped ? `, k6 dropped ${result.dropped}` : ""}` +
        `${result.failed ? `, ${result.failed} failed` : ""}${result.drained ? "" : " (NOT drained)"}`,
    );
    for (const statement of result.statements ?? [])
      log(
        `  postgres ${statement.micros.toFixed(1).padStart(6)} µs/tx  ${String(statement.calls).padStart(6)} calls  ${statement.query}`,
      );
    if (!result.drained) break; // the next step's rows would mix with this one's
  }
  console.log(`\n${renderTable(results)}\n\n${renderVerdict(results)}\n`);
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"})`;
  writeReport(
    outDir,
    { startedAt, machine, profile: settings.profile, seconds: settings.seconds, mixes: settings.mixes },
    results,
  );
  if (chromiumAvailable())
    await screenshot(pathToFileURL(join(outDir, "bench.html")).href, join(outDir, "bench.png"), 1220);
  log(`report: ${outDir}/bench.html${chromiumAvailable() ? " and bench.png" : ""}`);
} catch (error) {
  console.error(
    `bench:e2e failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  exitCode = 2;
} finally {
  await pool?.end();
  await pipeline.stop();
}
process.exit(exitCode);
