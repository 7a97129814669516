// Runs a k6 script from ops/k6 (installing k6 when missing) and reads its threshold results.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "./pipeline.ts";

/** The k6 binary, installed by ops/k6/install.sh when missing; undefined only when it cannot be installed. */
export const installK6 = (): { path?: string; why?: string } => {
  const run = spawnSync("bash", [resolve(REPO_ROOT, "ops/k6/install.sh")], {
    encoding: "utf8",
    timeout: 600_000,
  });
  return run.status === 0
    ? { path: run.stdout.trim().split("\n").pop() }
    : { why: run.stderr.trim() || `install.sh exited ${run.status}` };
};

export interface K6Result {
  readonly code: number | null;
  readonly output: string;
  /** threshold expression → passed, per metric. */
  readonly thresholds: Record<string, Record<string, boolean>>;
  readonly metrics: Record<string, Record<string, number>>;
}

export const runK6 = (k6: string, script: string, env: Record<string, string>): Promise<K6Result> =>
  new Promise((done, reject) => {
    const dir = mkdtempSync(join(tmpdir(), "ledgerline-k6-"));
    const summary = join(dir, "summary.json");
    const child = spawn(k6, ["run", "--quiet", "--no-color", "--summary-export", summary, `${script}.js`], {
      cwd: resolve(REPO_ROOT, "ops/k6"),
      env: { ...process.env, ...env },
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      let thresholds: K6Result["thresholds"] = {};
      let metrics: K6Result["metrics"] = {};
      try {
        const parsed = JSON.parse(readFileSync(summary, "utf8")) as {
          metrics: Record<string, Record<string, unknown> & { thresholds?: Record<string, boolean> }>;
        };
        // In --summary-export a threshold's value is true when it was CROSSED (failed).
        thresholds = Object.fromEntries(
          Object.entries(parsed.metrics)
            .filter(([, m]) => m.thresholds)
            .map(([name, m]) => [
              name,
              Object.fromEntries(Object.entries(m.thresholds!).map(([expr, crossed]) => [expr, !crossed])),
            ]),
        );
        metrics = Object.fromEntries(
          Object.entries(parsed.metrics).map(([name, m]) => [
            name,
            Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === "number")) as Record<
              string,
              number
            >,
          ]),
        );
      } catch {
        // No summary: the run failed before the end; the exit code says so.
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      done({ code, output, thresholds, metrics });
    });
  });
