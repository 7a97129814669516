// npm run bench:gateway — drives POST /v1/transactions at several concurrency levels: the real gateway
// (durable 202 via Kafka) against a bare Hono endpoint that parses the body and answers 202, same run.
// Each level alternates bare and gateway for BENCH_ROUNDS rounds and reports the medians, because
// single runs on a shared 2-core machine vary by ±15%.
//   BENCH_TOOL=autocannon|k6  BENCH_CONNECTIONS=10,50,100  BENCH_SECONDS=5  BENCH_ROUNDS=3
// Gateway knobs (GATEWAY_LINGER_MS, GATEWAY_MAX_CONCURRENT_PRODUCES, …) pass through from the environment.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { provisionNamespace } from "@ledgerline/topology";
import autocannon from "autocannon";
import { freePort, waitForHttp } from "./benchSupport.ts";

const LEVELS = (process.env.BENCH_CONNECTIONS ?? "10,50,100").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TOOL = process.env.BENCH_TOOL ?? "autocannon";
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const start = (script: string, env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });

const body = JSON.stringify({
  account_id: "ACC-7890",
  amount: 1250.75,
  currency: "USD",
  merchant_name: "Chicago Retail Hub",
});

interface Figures {
  /** Accepted (202) responses per second. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

const withAutocannon = async (url: string, connections: number, seconds: number): Promise<Figures> => {
  const result = await autocannon({
    url,
    method: "POST",
    connections,
    duration: seconds,
    headers: { "content-type": "application/json", authorization: "Bearer dev-key-change-me" },
    body,
  });
  return {
    rps: result["2xx"] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
};

const k6Binary = (): string =>
  execFileSync("bash", [here("../../../ops/k6/install.sh")], { encoding: "utf8" }).trim();

const withK6 =
  (k6: string) =>
  (url: string, vus: number, seconds: number): Figures => {
    const dir = mkdtempSync(join(tmpdir(), "bench-k6-"));
    try {
      const summary = join(dir, "summary.json");
      execFileSync(
        k6,
        ["run", "--quiet", "--no-usage-report", "--summary-export", summary, here("./bench.k6.js")],
        { env: { ...process.env, URL: url, VUS: String(vus), SECONDS: String(seconds) }, stdio: "ignore" },
      );
      const { metrics } = JSON.parse(readFileSync(summary, "utf8"));
      return {
        rps: metrics.checks.passes / seconds,
        p50: Math.round(metrics.http_req_duration["p(50)"]),
        p99: Math.round(metrics.http_req_duration["p(99)"]),
        errors: metrics.checks.fails,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const summarize = (runs: Figures[]): Figures => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  errors: runs.reduce((sum, r) => sum + r.errors, 0),
});

const main = async () => {
  const drive = TOOL === "k6" ? withK6(k6Binary()) : withAutocannon;
  const ns = await provisionNamespace("bench", { only: ["requested"] });
  const [realPort, barePort] = [await freePort(), await freePort()];
  const real = start(here("../src/main.ts"), {
    GATEWAY_PORT: String(realPort),
    LEDGERLINE_NAMESPACE: ns.namespace,
    GATEWAY_RATE_LIMIT_PER_SECOND: "1000000",
    GATEWAY_RATE_LIMIT_BURST: "1000000",
    LOG_LEVEL: "warn",
    LEDGERLINE_ENV: "development",
  });
  const bare = start(here("./bareServer.ts"), { PORT: String(barePort) });
  const realUrl = `http://127.0.0.1:${realPort}/v1/transactions`;
  const bareUrl = `http://127.0.0.1:${barePort}/v1/transactions`;
  try {
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${realPort}/livez`, real),
      waitForHttp(`http://127.0.0.1:${barePort}/`, bare),
    ]);
    // Warm-up: JIT, connections, the registry's schema-id cache.
    await drive(realUrl, 10, 3);
    await drive(bareUrl, 10, 3);
    const knobs = ["GATEWAY_LINGER_MS", "GATEWAY_MAX_CONCURRENT_PRODUCES", "GATEWAY_PRODUCE_MAX_BATCH"]
      .filter((name) => process.env[name] !== undefined)
      .map((name) => `${name}=${process.env[name]}`);
    console.log(
      `\nPOST /v1/transactions with ${TOOL} on the same machine: ${SECONDS}s runs, bare and gateway ` +
        `alternating, median of ${ROUNDS} rounds${knobs.length ? `; ${knobs.join(" ")}` : " (default knobs)"}\n`,
    );
    console.log("conns | bare req/s  p50 ms  p99 ms | gateway req/s  p50 ms  p99 ms  errors | ratio");
    const ratios: number[] = [];
    let bareTotal = 0;
    let gatewayTotal = 0;
    for (const connections of LEVELS) {
      const bareRuns: Figures[] = [];
      const gatewayRuns: Figures[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        bareRuns.push(await drive(bareUrl, connections, SECONDS));
        gatewayRuns.push(await drive(realUrl, connections, SECONDS));
      }
      const b = summarize(bareRuns);
      const g = summarize(gatewayRuns);
      const ratio = g.rps / b.rps;
      ratios.push(ratio);
      bareTotal += b.rps;
      gatewayTotal += g.rps;
      console.log(
        `${String(connections).padStart(5)} | ${b.rps.toFixed(0).padStart(10)} ${String(b.p50).padStart(7)} ${String(b.p99).padStart(7)} | ` +
          `${g.rps.toFixed(0).padStart(13)} ${String(g.p50).padStart(7)} ${String(g.p99).padStart(7)} ${String(g.errors).padStart(7)} | ${(ratio * 100).toFixed(0)}%`,
      );
    }
    console.log(
      `\ngateway/bare over all levels: ${((gatewayTotal / bareTotal) * 100).toFixed(0)}%; ` +
        `lowest level ${(Math.min(...ratios) * 100).toFixed(0)}%, highest ${(Math.max(...ratios) * 100).toFixed(0)}% (goal ≥ 40%)`,
    );
  } finally {
    real.kill("SIGTERM");
    bare.kill("SIGTERM");
    await ns.cleanup();
  }
};

await main();
