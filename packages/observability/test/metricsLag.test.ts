// Consumer lag as operators see it: stop the ledger sink, send N transactions, and the sink group's lag
// (reported by the processor, which samples every pipeline group) is N; restart the sink and it returns to 0.
// Lag is counted in offsets, as Kafka does: each processor transaction also writes one commit marker after
// its records (all N share one key, so one partition), and the expectation adds exactly those.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { freePort, type Pipeline, REPO_ROOT, startPipeline } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSum } from "../src/metricsText.ts";
import { postTransaction, scrape, waitForSample } from "./metricsHelpers.ts";

const N = 30;

describe("consumer lag per group and partition", () => {
  let pipeline: Pipeline;
  let processorMetrics: string;
  let sinkPort: number;
  let sink: ChildProcess | undefined;

  const startSink = () => {
    sink = spawn(process.execPath, [resolve(REPO_ROOT, "apps/ledger-sink/src/main.ts")], {
      cwd: REPO_ROOT,
      env: { ...pipeline.env, LEDGER_SINK_METRICS_PORT: String(sinkPort), METRICS_LAG_INTERVAL_MS: "300" },
      stdio: "ignore",
    });
  };
  const stopSink = async () => {
    const child = sink;
    sink = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  };

  beforeAll(async () => {
    const [processorPort, port] = await Promise.all([freePort(), freePort()]);
    sinkPort = port;
    pipeline = await startPipeline("lag", ["gateway", "processor"], {
      env: {
        PROCESSOR_METRICS_PORT: String(processorPort),
        METRICS_LAG_INTERVAL_MS: "300",
      },
    });
    processorMetrics = `http://127.0.0.1:${processorPort}/metrics`;
    startSink();
  }, 90_000);
  afterAll(async () => {
    await stopSink();
    await pipeline?.stop();
  });

  it("stop the sink → lag N; start it → lag 0", async () => {
    const group = pipeline.namespace.names.group("ledgerSink");
    const lag = "ledgerline_kafka_consumer_lag_records";
    const body = {
      account_id: "ACC-4242",
      amount: "1.00",
      currency: "USD",
      merchant_name: "Chicago Retail Hub",
    };

    // Warm up: one transaction all the way through, the sink caught up (markers included).
    await postTransaction(pipeline.gatewayUrl, body);
    const sinkMetrics = `http://127.0.0.1:${sinkPort}/metrics`;
    await waitForSample(sinkMetrics, "ledgerline_kafka_records_consumed_total", { topic: "validated" }, 1);
    // A sample taken after the sink's commit (the gauge may still hold one from before the record existed).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await waitForSample(processorMetrics, lag, { group }, 0);
    await stopSink();

    const before = await scrape(processorMetrics);
    const transactions = (text: string) =>
      sampleSum(text, "ledgerline_kafka_transactions_total", { stage: "processor", outcome: "committed" });
    for (let i = 0; i < N; i++) await postTransaction(pipeline.gatewayUrl, body);
    const after = await waitForSample(
      processorMetrics,
      "ledgerline_kafka_records_produced_total",
      { topic: "validated" },
      1 + N,
    );
    const markers = transactions(after) - transactions(before);
    expect(markers).toBeGreaterThan(0);
    const stopped = await waitForSample(processorMetrics, lag, { group }, N + markers);
    // All of it on one partition of transactions.validated; the processor's own group is caught up.
    expect(sampleSum(stopped, lag, { group, topic: "validated" })).toBe(N + markers);
    expect(sampleSum(stopped, lag, { group: pipeline.namespace.names.group("processor") })).toBe(0);

    startSink();
    await waitForSample(processorMetrics, lag, { group }, 0);
    // The restarted sink reports the same, from its own /metrics.
    await waitForSample(sinkMetrics, lag, { group }, 0);
  }, 90_000);
});
