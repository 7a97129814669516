// `npm run bench:replication -- [--rounds 3] [--records 30000] [--connections 50]`
//
// What replication costs: the gateway benchmark (POST /v1/transactions, a durable 202 is an acks=all
// produce) and the processor benchmark (exactly-once drain of a pre-filled topic) against a 1-broker
// Kafka and a 3-broker cluster (topics on 3 replicas, min.insync.replicas 2), in the same run, on the
// same machine. Both brokers are private (throwaway) and up for the whole run; rounds alternate between
// them and the medians are compared. The registry and Postgres are the stack's. Not a test.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT, ThrowawayBroker } from "@ledgerline/testkit";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    records: { type: "string", default: "30000" },
    connections: { type: "string", default: "50" },
    seconds: { type: "string", default: "5" },
  },
});
const rounds = Number(args.rounds);
const log = (line: string) => console.log(`[replication ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Runs a benchmark script to its end against `bootstrap`; resolves with its output. */
const run = (script: string, argv: readonly string[], env: Record<string, string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, script), ...argv], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${script} exited ${code}:\n${output.slice(-3_000)}`)),
    );
  });

interface GatewayFigures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}
interface ProcessorFigures {
  readonly rps: number;
  /** Produce → committed output, p50, seconds. */
  readonly e2eP50: number;
  /** fetch → commit of one transaction, p50 and p99, ms. */
  readonly batchP50: number;
  readonly batchP99: number;
}

const gatewayBench = async (bootstrap: string): Promise<GatewayFigures> => {
  const connections = args.connections;
  const output = await run("apps/gateway/scripts/bench.ts", [], {
    KAFKA_BOOTSTRAP_SERVERS: bootstrap,
    BENCH_CONNECTIONS: connections,
    BENCH_ROUNDS: "1",
    BENCH_SECONDS: args.seconds,
  });
  // "   50 |      12345      3      9 |         6789      6     20       0 | 55%"
  const line = output.split("\n").find((l) => new RegExp(`^\\s*${connections} \\|`).test(l));
  const gateway = line?.split("|")[2]?.trim().split(/\s+/).map(Number);
  if (!gateway || gateway.length < 3)
    throw new Error(`no figures in the gateway benchmark's output:\n${output}`);
  return { rps: gateway[0]!, p50: gateway[1]!, p99: gateway[2]! };
};

const processorBench = async (bootstrap: string): Promise<ProcessorFigures> => {
  const output = await run("apps/processor/scripts/bench.ts", ["--records", args.records, "--rounds", "1"], {
    KAFKA_BOOTSTRAP_SERVERS: bootstrap,
  });
  // "exactly-once   30000 records in 1.23 s = 24390 records/s | 15 transactions, batch fetch→commit p50 40 ms
  //  p99 90 ms | end-to-end (produce→committed output) p50 1.2 s, max 2.0 s"
  const match =
    /exactly-once\s+\d+ records in [\d.]+ s = (\d+) records\/s .*?p50 (\d+) ms p99 (\d+) ms .*?p50 ([\d.]+) s/.exec(
      output,
    );
  if (!match) throw new Error(`no figures in the processor benchmark's output:\n${output}`);
  return {
    rps: Number(match[1]),
    batchP50: Number(match[2]),
    batchP99: Number(match[3]),
    e2eP50: Number(match[4]),
  };
};

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

log("starting a 1-broker Kafka and a 3-broker cluster (private, from the stack's jars)");
const [single, cluster] = await Promise.all([ThrowawayBroker.create(), ThrowawayBroker.create({ nodes: 3 })]);
const setups = [
  { name: "1 broker, replication factor 1", broker: single },
  { name: "3 brokers, replication factor 3, min ISR 2", broker: cluster },
] as const;
const results = setups.map(() => ({ gateway: [] as GatewayFigures[], processor: [] as ProcessorFigures[] }));
try {
  for (let round = 1; round <= rounds; round++) {
    // Alternate which setup goes first, so warm-up and page cache favour neither.
    const order = round % 2 === 1 ? [0, 1] : [1, 0];
    for (const index of order) {
      const setup = setups[index]!;
      log(`round ${round}/${rounds}: ${setup.name}: gateway benchmark`);
      const gateway = await gatewayBench(setup.broker.bootstrap);
      log(`  ${Math.round(gateway.rps)} req/s, p50 ${gateway.p50} ms, p99 ${gateway.p99} ms`);
      log(`round ${round}/${rounds}: ${setup.name}: processor benchmark`);
      const processor = await processorBench(setup.broker.bootstrap);
      log(
        `  ${processor.rps} records/s, transaction p50 ${processor.batchP50} ms, p99 ${processor.batchP99} ms`,
      );
      results[index]!.gateway.push(gateway);
      results[index]!.processor.push(processor);
    }
  }
} finally {
  await Promise.all([single.destroy(), cluster.destroy()]);
}

const summary = results.map((r) => ({
  gatewayRps: median(r.gateway.map((g) => g.rps)),
  gatewayP50: median(r.gateway.map((g) => g.p50)),
  gatewayP99: median(r.gateway.map((g) => g.p99)),
  processorRps: median(r.processor.map((p) => p.rps)),
  batchP50: median(r.processor.map((p) => p.batchP50)),
  batchP99: median(r.processor.map((p) => p.batchP99)),
  e2eP50: median(r.processor.map((p) => p.e2eP50)),
}));
const [one, three] = summary as [(typeof summary)[0], (typeof summary)[0]];
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
console.log(
  `\nReplication cost, median of ${rounds} alternating rounds (gateway: ${args.connections} connections, ${args.seconds} s; processor: ${args.records} records, exactly-once):\n`,
);
console.log("| | 1 broker, RF 1 | 3 brokers, RF 3, min ISR 2 | 3 brokers / 1 broker |");
console.log("|---|---|---|---|");
console.log(
  `| gateway, accepted POST/s | ${Math.round(one.gatewayRps)} | ${Math.round(three.gatewayRps)} | ${pct(three.gatewayRps, one.gatewayRps)} |`,
);
console.log(
  `| gateway, p50 / p99 ms | ${one.gatewayP50} / ${one.gatewayP99} | ${three.gatewayP50} / ${three.gatewayP99} | |`,
);
console.log(
  `| processor, records/s | ${Math.round(one.processorRps)} | ${Math.round(three.processorRps)} | ${pct(three.processorRps, one.processorRps)} |`,
);
console.log(
  `| processor, transaction p50 / p99 ms | ${one.batchP50} / ${one.batchP99} | ${three.batchP50} / ${three.batchP99} | |`,
);
console.log(`| processor, produce→output p50 s | ${one.e2eP50} | ${three.e2eP50} | |`);
