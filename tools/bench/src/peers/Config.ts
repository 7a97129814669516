// What `npm run bench:peers` is told: its command-line flags. No environment is read here: the broker,
// registry and database are the stack's (testEnvironment), and ops/bin/bench-peers.sh passes where it
// built the Java peers.
import { parseArgs } from "node:util";

export interface PeersSettings {
  /** Alternating rounds per comparison; the tables show medians. */
  readonly rounds: number;
  /** Requests pre-filled for the processor comparison. */
  readonly records: number;
  /** Requests produced at a steady rate after each drain, for end-to-end latency. */
  readonly latencyRecords: number;
  readonly latencyRate: number;
  /** Validated records pre-filled for the sink comparison. */
  readonly sinkRecords: number;
  readonly sinkBatch: number;
  readonly only?: "processor" | "sink";
  /** Built by ops/bin/bench-peers.sh: streams/{app.jar,lib}, connect/lib, plugins/. */
  readonly peersDir: string;
  readonly java: string;
  /** How long one side may take to drain before the run fails. */
  readonly drainLimitMs: number;
  /** The share of a drain left out of the steady rate (each side starts a fresh process: JIT warm-up). */
  readonly warmup: number;
}

export const peersSettings = (argv: readonly string[]): PeersSettings => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: "string", default: "3" },
      records: { type: "string", default: "100000" },
      "latency-records": { type: "string", default: "2000" },
      "latency-rate": { type: "string", default: "1000" },
      "sink-records": { type: "string", default: "100000" },
      "sink-batch": { type: "string", default: "5000" },
      only: { type: "string" },
      "peers-dir": { type: "string" },
      java: { type: "string", default: "java" },
    },
  });
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  if (!values["peers-dir"]) throw new Error("--peers-dir is required (ops/bin/bench-peers.sh passes it)");
  if (values.only !== undefined && values.only !== "processor" && values.only !== "sink")
    throw new Error("--only is processor or sink");
  return {
    rounds: positive("rounds", values.rounds),
    records: positive("records", values.records),
    latencyRecords: positive("latency-records", values["latency-records"]),
    latencyRate: positive("latency-rate", values["latency-rate"]),
    sinkRecords: positive("sink-records", values["sink-records"]),
    sinkBatch: positive("sink-batch", values["sink-batch"]),
    ...(values.only ? { only: values.only } : {}),
    peersDir: values["peers-dir"],
    java: values.java,
    drainLimitMs: 300_000,
    warmup: 0.2,
  };
};
