// npm run bench:gateway — drives POST /v1/transactions with autocannon at several concurrency levels,
// the real gateway (durable 202 via Kafka) side by side with a bare Hono 202 endpoint, same run.
// Prints accepted req/s and p50/p99 latency per level and the real/bare ratio.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { provisionNamespace } from "@ledgerline/topology";
import autocannon from "autocannon";

const LEVELS = (process.env.BENCH_CONNECTIONS ?? "10,50,100").split(",").map(Number);
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const waitFor = async (url: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} did not come up`);
};

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
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

const drive = async (url: string, connections: number): Promise<Figures> => {
  const result = await autocannon({
    url,
    method: "POST",
    connections,
    duration: DURATION,
    headers: { "content-type": "application/json", authorization: "Bearer dev-key-change-me" },
    body,
  });
  return {
    rps: result["2xx"] / DURATION,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
};

const main = async () => {
  const ns = await provisionNamespace("bench", { only: ["requested"] });
  const [realPort, barePort] = [await freePort(), await freePort()];
  const real = start(here("../src/main.ts"), {
    GATEWAY_PORT: String(realPort),
    LEDGERLINE_NAMESPACE: ns.namespace,
    GATEWAY_RATE_LIMIT_PER_SECOND: "1000000",
    GATEWAY_RATE_LIMIT_BURST: "1000000",
    LOG_LEVEL: "warn",
  });
  const bare = start(here("./bareServer.ts"), { PORT: String(barePort) });
  try {
    await Promise.all([
      waitFor(`http://127.0.0.1:${realPort}/health`),
      waitFor(`http://127.0.0.1:${barePort}/`),
    ]);
    // Warm-up: JIT, connections, the registry's schema-id cache.
    await drive(`http://127.0.0.1:${realPort}/v1/transactions`, 10);
    await drive(`http://127.0.0.1:${barePort}/v1/transactions`, 10);
    console.log(`\nPOST /v1/transactions, ${DURATION}s per run, autocannon on the same machine\n`);
    console.log("conns | bare req/s  p50 ms  p99 ms | gateway req/s  p50 ms  p99 ms  errors | ratio");
    const ratios: number[] = [];
    let bareTotal = 0;
    let gatewayTotal = 0;
    for (const connections of LEVELS) {
      const b = await drive(`http://127.0.0.1:${barePort}/v1/transactions`, connections);
      const g = await drive(`http://127.0.0.1:${realPort}/v1/transactions`, connections);
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
        `best level ${(Math.max(...ratios) * 100).toFixed(0)}% (goal ≥ 40%)`,
    );
  } finally {
    real.kill("SIGTERM");
    bare.kill("SIGTERM");
    await ns.cleanup();
  }
};

await main();
