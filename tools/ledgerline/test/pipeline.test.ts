// Against the running pipeline (gateway, processor, ledger-sink as child processes): seed → /reports,
// simulate → every transaction in the ledger, k6 smoke → thresholds pass.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.ts";
import { installK6, runK6 } from "./k6.ts";
import { CLI, type Pipeline, REPO_ROOT, startPipeline } from "./pipeline.ts";

describe("ledgerline against the running pipeline", () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline("cli-pipeline");
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it("seed: GET /reports then lists 100 transactions with status Historical", async () => {
    const seeded = await runCli(["seed", "--count", "100"], pipeline.env);
    expect(seeded.code, seeded.stderr).toBe(0);
    const response = await fetch(`${pipeline.gatewayUrl}/reports?limit=500`, {
      headers: { accept: "application/json", authorization: "Bearer dev-key-change-me" },
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      rows: { status: string }[];
      totals: { status: string; count: number }[];
    };
    expect(report.rows.filter((row) => row.status === "Historical")).toHaveLength(100);
    expect(
      report.totals.filter((t) => t.status === "Historical").reduce((sum, t) => sum + Number(t.count), 0),
    ).toBe(100);
  });

  it("simulate --count 500: 500 accepted, 500 in the ledger, summary printed", async () => {
    const run = await runCli(
      ["simulate", "--count", "500", "--rate", "250/s", "--concurrency", "16", "--json"],
      pipeline.env,
      120_000,
    );
    expect(run.code, `${run.stderr}\n${pipeline.logs("processor")}\n${pipeline.logs("ledger-sink")}`).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({
      sent: 500,
      accepted: 500,
      rejected: 0,
      errors: 0,
      inLedger: 500,
      missing: 0,
    });
    expect(summary.endToEndMs.count).toBe(500);
    expect(summary.endToEndMs.p99).toBeGreaterThan(0);
  }, 150_000);

  it("simulate prints a readable summary", async () => {
    const run = await runCli(["simulate", "--count", "20", "--rate", "100/s"], pipeline.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/sent 20 at .*: 20 accepted, 0 rejected, 0 errors/);
    expect(run.stdout).toMatch(/accept → final\s+p50 \S+\s+p90/);
  });

  it("simulate: Ctrl-C stops sending cleanly and still prints the summary", async () => {
    const child = spawn(process.execPath, [CLI, "simulate", "--duration", "60s", "--rate", "50/s"], {
      cwd: REPO_ROOT,
      env: pipeline.env,
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    // Ctrl-C once it is sending (its first progress line): the CLI takes 3-4 s to start on a busy
    // machine, and a SIGINT before its handler is installed kills it outright.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 30_000);
      child.stderr.on("data", (chunk: Buffer) => {
        if (/^sent \d+/m.test(chunk.toString("utf8"))) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stdout).toMatch(/interrupted: sent \d+ at .*accepted/);
    expect(stdout, stdout).toMatch(/in the ledger\s+(\d+)\/\1 /);
  });

  it("k6 smoke: its thresholds (error rate, p99 accept latency) pass", async (context) => {
    const k6 = installK6();
    if (!k6.path) {
      context.skip(`k6 cannot be installed here: ${k6.why}`);
      return;
    }
    const result = await runK6(k6.path, "smoke", { GATEWAY_URL: pipeline.gatewayUrl, DURATION: "8s" });
    expect(result.code, result.output).toBe(0);
    expect(Object.keys(result.thresholds).sort()).toEqual(
      ["checks", "http_req_duration{kind:batch}", "http_req_duration{kind:single}", "http_req_failed"].sort(),
    );
    for (const [metric, checks] of Object.entries(result.thresholds)) {
      for (const [expression, passed] of Object.entries(checks))
        expect(passed, `${metric} ${expression}`).toBe(true);
    }
  }, 600_000);
});
