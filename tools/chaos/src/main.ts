// `npm run chaos -- [--profile short|long] [--seed N] [--instances 1|2|3] [--brokers 1|3] [--out DIR]
//   [--kill-every MS] [--processor-delivery at-least-once] [--help]` (at-least-once breaks exactly-once on purpose)
//
// Starts a pipeline of its own through the project's scripts, drives it with careful clients while a
// seeded nemesis kills, pauses and cuts off its parts, waits for it to drain, then proves from the outside (Postgres, and
// Kafka read_committed) that nothing accepted was lost or doubled. Prints a table and the figures,
// writes chaos.json and chaos.html, and exits 1 on any anomaly (2 when the run itself could not happen).
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseBrokers } from "@ledgerline/kafka";
import { createLedgerPool, sql } from "@ledgerline/ledger-db";
import { REPO_ROOT, ScriptedPipeline } from "@ledgerline/testkit";
import { type ChaosSettings, chaosSettings, USAGE } from "./Config.ts";
import { check, kindFigures } from "./checker.ts";
import { runClients, sentById } from "./clients.ts";
import { collect } from "./collect.ts";
import { endLag } from "./endLag.ts";
import { runNemesis } from "./faults.ts";
import { setLimits } from "./limits.ts";
import { faultSchedule, NETWORK_FAULT_KINDS } from "./nemesis.ts";
import { seededRandom } from "./random.ts";
import { longestGap, percentile, renderTable, timeline, windowed, writeReport } from "./report.ts";
import { type ApiClient, LIMITED_ACCOUNTS } from "./traffic.ts";

let settings: ChaosSettings;
try {
  settings = chaosSettings(process.argv.slice(2));
} catch (error) {
  console.error(`chaos: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (settings.help) {
  console.log(USAGE);
  process.exit(0);
}
const outDir =
  settings.outDir ?? join(REPO_ROOT, ".ledgerline", "chaos", new Date().toISOString().replace(/[:.]/g, "-"));
mkdirSync(outDir, { recursive: true });
const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const countBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

// Two API clients send the traffic (their customer accounts are apart: customer:<client>:<account>, the
// same account ids under each), and the development key stays for the stack's own probes (waitReady,
// status: LEDGERLINE_API_KEY). The run's pipeline is private, so its keys can be fixed.
const clients: readonly ApiClient[] = [
  { clientId: "chaos-a", apiKey: "chaos-a-key" },
  { clientId: "chaos-b", apiKey: "chaos-b-key" },
];
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const gatewayApiKeys = [
  `dev:ingest+read+ops:${sha256("dev-key-change-me")}`,
  ...clients.map((c) => `${c.clientId}:ingest+read:${sha256(c.apiKey)}`),
].join(",");

const withNetworkFaults = NETWORK_FAULT_KINDS.some((kind) => settings.profile.networkFaults[kind] > 0);
log(
  `seed ${settings.seed}, profile ${settings.profile.name}, ${settings.brokers} broker(s), ${settings.instances} instance(s) per stage${withNetworkFaults ? ", stages behind Toxiproxy" : ""}; starting a private pipeline`,
);
const cluster = await ScriptedPipeline.start({
  processors: settings.instances,
  sinks: settings.instances,
  brokers: settings.brokers,
  network: withNetworkFaults,
  processorDelivery: settings.processorDelivery,
  gateways: settings.instances,
  relays: settings.instances,
  // Info: what a woken zombie did (a rejoin, a read from its stored positions) is logged at info.
  env: { GATEWAY_API_KEYS: gatewayApiKeys, LOG_LEVEL: "info" },
  log,
}).catch((error: unknown) => {
  console.error(`chaos: the pipeline did not start: ${(error as Error).message}`);
  process.exit(2);
});
let exitCode = 2;
try {
  const profile = settings.profile;
  // The limited accounts' overdraft limits, through the gateway, before the load and the faults.
  const limits = await setLimits(cluster.gatewayUrl, clients);
  log(
    `overdraft limits set on ${limits.length} accounts (${LIMITED_ACCOUNTS.map((a) => a.accountId).join(", ")} of each client)`,
  );
  const startEpoch = Date.now();
  const clock = () => Date.now() - startEpoch;
  const schedule = faultSchedule({
    seed: settings.seed,
    startMs: 5_000,
    endMs: profile.loadMs - 5_000,
    instances: cluster.instances(),
    killEveryMs: profile.killEveryMs,
    brokerRestarts: profile.brokerRestarts,
    brokers: settings.brokers,
    postgresRestarts: profile.postgresRestarts,
    registryStops: profile.registryStops,
    pauses: profile.pauses,
    links: cluster.network?.links().map((link) => link.name) ?? [],
    networkFaults: profile.networkFaults,
  });
  log(
    `${schedule.length} faults scheduled over ${profile.loadMs / 1000} s of load at ${profile.ratePerSecond} tx/s`,
  );
  const nemesis = runNemesis(cluster, schedule, clock, log);
  const injected = nemesis.injected;
  const history = await runClients({
    gatewayUrls: cluster.gatewayUrls,
    clients,
    ratePerSecond: profile.ratePerSecond,
    durationMs: profile.loadMs,
    concurrency: profile.concurrency,
    resendProbability: 0.03,
    random: seededRandom(settings.seed ^ 0x5eed),
    clock,
    seed: settings.seed,
  });
  await nemesis.done;
  const loadEndedMs = clock();
  log(`load done: ${history.accepts.length} answers 202, ${history.retries} retries; draining`);

  // Drain: every accepted id in the ledger, nothing left to consume, the outbox empty (bounded).
  const acceptedIds = [...new Set([...history.answered.values()].flat())];
  const connection = {
    bootstrapBrokers: parseBrokers(cluster.env.KAFKA_BOOTSTRAP_SERVERS as string),
    clientId: "ledgerline-chaos",
  };
  const pool = await createLedgerPool(cluster.env.DATABASE_URL as string, { maximumPoolSize: 2 });
  const drainStarted = clock();
  try {
    const deadline = Date.now() + profile.drainMs;
    for (;;) {
      const inLedger = (await pool
        .oneFirst(sql.unsafe`
        SELECT count(*)::int FROM transactions WHERE transaction_id = ANY(${sql.array(acceptedIds, "uuid")})`)
        .catch(() => -1)) as number;
      const unpublished = (await pool
        .oneFirst(sql.unsafe`SELECT count(*)::int FROM outbox`)
        .catch(() => -1)) as number;
      const lag = await endLag(connection, pool).catch(() => undefined);
      const left = lag?.reduce((n, l) => n + l.lag, 0);
      if (inLedger === acceptedIds.length && unpublished === 0 && left === 0) break;
      if (Date.now() > deadline) {
        log(
          `drain bound reached: ${inLedger}/${acceptedIds.length} in the ledger, ${unpublished} unpublished, lag ${left ?? "?"}`,
        );
        break;
      }
      await sleep(1_000);
    }
  } finally {
    await pool.end();
  }
  const drainMs = clock() - drainStarted;
  log(`drained in ${(drainMs / 1000).toFixed(1)} s; checking`);
  await nemesis.watched;

  const collected = await collect({
    connection,
    registryUrl: cluster.env.SCHEMA_REGISTRY_URL as string,
    databaseUrl: cluster.env.DATABASE_URL as string,
    accepted: history.answered,
    sent: sentById(history),
    limits,
  });
  const invariants = check(collected.observations);
  const toPosted = collected.timings.flatMap((t) =>
    t.acceptedAt !== null && t.postedAt !== null ? [t.postedAt - t.acceptedAt] : [],
  );
  const latencies = history.accepts.map((a) => a.latencyMs);
  // Accept→posted of the transactions accepted while a network fault was on.
  const networkWindows = injected.filter((f) => NETWORK_FAULT_KINDS.some((kind) => kind === f.kind));
  const toPostedUnderNetworkFaults = windowed(collected.timings, networkWindows, startEpoch);
  const figures = {
    seed: settings.seed,
    profile: profile.name,
    instances: settings.instances,
    brokers: settings.brokers,
    durationMs: profile.loadMs,
    accepted: acceptedIds.length,
    ledger: collected.ledgerCounts,
    clients: countBy([...collected.observations.sent.values()], (s) => s.clientId),
    ...kindFigures(collected.observations),
    skippedRefunds: history.skippedRefunds,
    faults: countBy(injected, (f) => f.kind),
    restarts: cluster.restarts(),
    clientRetries: history.retries,
    resent: history.resent,
    abandoned: history.abandoned,
    longestUnavailableMs: longestGap(history.accepts, 0, loadEndedMs),
    acceptLatencyMs: {
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
    },
    acceptToPostedMs: {
      p50: Math.round(percentile(toPosted, 50)),
      p99: Math.round(percentile(toPosted, 99)),
    },
    acceptToPostedUnderNetworkFaultsMs: {
      count: toPostedUnderNetworkFaults.length,
      p50: Math.round(percentile(toPostedUnderNetworkFaults, 50)),
      p99: Math.round(percentile(toPostedUnderNetworkFaults, 99)),
    },
    pauses: nemesis.pauses,
    drainMs,
  };
  console.log(`\n${renderTable(invariants, figures)}\n`);
  writeReport(outDir, {
    invariants,
    figures,
    faults: injected,
    series: timeline(history.accepts, collected.timings, startEpoch, Math.ceil(clock() / 1000)),
  });
  log(`report: ${join(outDir, "chaos.html")} and chaos.json`);
  exitCode = invariants.every((i) => i.ok) ? 0 : 1;
  if (exitCode !== 0) log(`anomalies found; replay with --seed ${settings.seed}`);
} catch (error) {
  console.error(`chaos: the run failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 2;
} finally {
  log("stopping the private pipeline");
  // A failed run keeps the apps' and the stack's logs next to its report, to tell what happened.
  const keepLogsIn = exitCode === 0 ? undefined : join(outDir, "logs");
  await cluster.stop({ keepLogsIn });
  if (keepLogsIn) log(`logs kept in ${keepLogsIn}`);
}
process.exit(exitCode);
