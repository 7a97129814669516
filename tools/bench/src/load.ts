// Drives the gateway with k6 (the project's reference load tool, ops/k6/bench.js) for one step and reads
// its summary. k6 is this process's child, so its CPU lands in our cutime once it has exited.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "@ledgerline/testkit";
import type { Mix, Step } from "./Config.ts";

export interface LoadFigures {
  readonly accepted: number;
  readonly dropped: number;
  readonly failed: number;
  readonly acceptMs: { readonly p50: number; readonly p99: number };
}

/** Installs k6 if needed (ops/k6/install.sh) and returns its path. */
export const k6Binary = (): string =>
  execFileSync("bash", [join(REPO_ROOT, "ops/k6/install.sh")], { encoding: "utf8" }).trim();

interface K6Summary {
  readonly metrics: Record<string, Record<string, number> | undefined>;
}

export const readSummary = (summary: K6Summary): LoadFigures => {
  const m = summary.metrics;
  return {
    accepted: m.ledgerline_accepted?.count ?? 0,
    dropped: m.dropped_iterations?.count ?? 0,
    failed: m.ledgerline_failed?.count ?? 0,
    acceptMs: { p50: m.http_req_duration?.["p(50)"] ?? 0, p99: m.http_req_duration?.["p(99)"] ?? 0 },
  };
};

export const runLoad = (
  k6: string,
  gatewayUrl: string,
  step: Step,
  seconds: number,
  mix: Mix,
): Promise<LoadFigures> => {
  const dir = mkdtempSync(join(tmpdir(), "ledgerline-bench-k6-"));
  const summary = join(dir, "summary.json");
  return new Promise<LoadFigures>((resolve, reject) => {
    execFile(
      k6,
      [
        "run",
        "--quiet",
        "--no-usage-report",
        "--summary-export",
        summary,
        join(REPO_ROOT, "ops/k6/bench.js"),
      ],
      {
        env: {
          ...process.env,
          GATEWAY_URL: gatewayUrl,
          KIND: step.kind,
          MIX: mix,
          RATE: String(step.requestsPerSecond),
          SECONDS: String(seconds),
          BATCH_SIZE: String(step.batchSize),
          // Enough VUs for the rate at ~200 ms per request; k6 adds more (slowly) up to MAX_VUS.
          VUS: String(Math.max(50, Math.ceil(step.requestsPerSecond / 5))),
          MAX_VUS: String(Math.max(200, step.requestsPerSecond)),
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, _stdout, stderr) => {
        try {
          // k6 exits 99 when a threshold fails; there are none here, so any error is a failed run.
          if (error) throw new Error(`k6 failed: ${String(error)}\n${stderr.slice(-2_000)}`);
          resolve(readSummary(JSON.parse(readFileSync(summary, "utf8")) as K6Summary));
        } catch (failure) {
          reject(failure);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
};
