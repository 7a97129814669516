// node scripts/benchObservability.ts — the cost of metrics + tracing on POST /v1/transactions: two real
// gateways in the same run, one with GATEWAY_METRICS_ENABLED=false and no OTLP endpoint, one with metrics
// on and every request traced (spans exported over OTLP/HTTP to a stub collector here). Runs alternate.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { fileURLToPath } from "node:url";
import { provisionNamespace } from "@ledgerline/topology";
import autocannon from "autocannon";
import { freePort, waitForHttp } from "./benchSupport.ts";

const LEVELS = (process.env.BENCH_CONNECTIONS ?? "10,50,100").split(",").map(Number);
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const body = JSON.stringify({
  account_id: "ACC-7890",
  amount: 1250.75,
  currency: "USD",
  merchant_name: "Shop",
});

const drive = async (port: number, connections: number) => {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/transactions`,
    method: "POST",
    connections,
    duration: DURATION,
    headers: { "content-type": "application/json", authorization: "Bearer dev-key-change-me" },
    body,
  });
  return { rps: result["2xx"] / DURATION, p50: result.latency.p50, p99: result.latency.p99 };
};

const main = async () => {
  const ns = await provisionNamespace("benchobs", { only: ["requested"] });
  let spans = 0;
  const collectorPort = await freePort();
  const collector = createHttpServer((req, res) => {
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
    });
    req.on("end", () => {
      spans += size > 0 ? 1 : 0;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  }).listen(collectorPort, "127.0.0.1");
  const start = (port: number, observed: boolean): ChildProcess =>
    spawn(process.execPath, [fileURLToPath(new URL("../src/main.ts", import.meta.url))], {
      env: {
        ...process.env,
        GATEWAY_PORT: String(port),
        LEDGERLINE_NAMESPACE: ns.namespace,
        GATEWAY_RATE_LIMIT_PER_SECOND: "1000000",
        GATEWAY_RATE_LIMIT_BURST: "1000000",
        LOG_LEVEL: "warn",
        LEDGERLINE_ENV: "development",
        GATEWAY_METRICS_ENABLED: String(observed),
        OTEL_EXPORTER_OTLP_ENDPOINT: observed ? `http://127.0.0.1:${collectorPort}` : "",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
  const [offPort, onPort] = [await freePort(), await freePort()];
  const off = start(offPort, false);
  const on = start(onPort, true);
  try {
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${offPort}/livez`),
      waitForHttp(`http://127.0.0.1:${onPort}/livez`),
    ]);
    await drive(offPort, 10);
    await drive(onPort, 10);
    console.log(
      `\nPOST /v1/transactions, ${DURATION}s per run, ${ROUNDS} alternating rounds, best of rounds\n`,
    );
    console.log("conns | off req/s  p50  p99 | on (metrics+tracing) req/s  p50  p99 | on/off");
    let offTotal = 0;
    let onTotal = 0;
    for (const connections of LEVELS) {
      let best = { off: { rps: 0, p50: 0, p99: 0 }, on: { rps: 0, p50: 0, p99: 0 } };
      for (let round = 0; round < ROUNDS; round++) {
        const a = await drive(offPort, connections);
        const b = await drive(onPort, connections);
        best = { off: a.rps > best.off.rps ? a : best.off, on: b.rps > best.on.rps ? b : best.on };
      }
      offTotal += best.off.rps;
      onTotal += best.on.rps;
      console.log(
        `${String(connections).padStart(5)} | ${best.off.rps.toFixed(0).padStart(9)} ${String(best.off.p50).padStart(4)} ${String(best.off.p99).padStart(4)} | ` +
          `${best.on.rps.toFixed(0).padStart(26)} ${String(best.on.p50).padStart(4)} ${String(best.on.p99).padStart(4)} | ${((best.on.rps / best.off.rps) * 100).toFixed(0)}%`,
      );
    }
    console.log(
      `\nthroughput with metrics+tracing on: ${((onTotal / offTotal) * 100).toFixed(1)}% of off (overhead ${((1 - onTotal / offTotal) * 100).toFixed(1)}%); ${spans} OTLP export requests received`,
    );
  } finally {
    off.kill("SIGTERM");
    on.kill("SIGTERM");
    collector.close();
    await ns.cleanup();
  }
};

await main();
