// `npm run bench:e2e -- --profile quick`, with one step of each kind (the profile has two), from a clean
// state: a private pipeline started through the project's scripts, two short k6 steps, every accepted
// transaction in the ledger, and the report files.
// Figures are printed, never asserted: this proves the benchmark runs, not how fast the machine is.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromiumAvailable, REPO_ROOT } from "@ledgerline/testkit";
import { afterAll, describe, expect, it } from "vitest";
import type { StepResult } from "../src/ladder.ts";

const k6Installed = (): boolean => {
  try {
    execFileSync("bash", [resolve(REPO_ROOT, "ops/k6/install.sh")], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

describe("bench:e2e (quick profile)", () => {
  const out = mkdtempSync(join(tmpdir(), "ledgerline-bench-report-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("measures every step end to end and writes the report", { timeout: 600_000 }, async (context) => {
    if (!k6Installed()) {
      context.skip("k6 cannot be installed here (ops/k6/install.sh needs Go)");
      return;
    }
    let output = "";
    const code = await new Promise<number | null>((done) => {
      const child = spawn(
        process.execPath,
        [
          resolve(REPO_ROOT, "tools/bench/src/main.ts"),
          ...["--profile", "quick", "--steps", "single:300;batch:10", "--out", out],
        ],
        { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      const keep = (chunk: Buffer) => {
        output += chunk.toString("utf8");
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      child.once("exit", done);
    });
    console.log(output.slice(-4_000));
    expect(code, output.slice(-4_000)).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "bench.json"), "utf8")) as { steps: StepResult[] };
    expect(report.steps.map((s) => `${s.kind}:${s.offered}`)).toEqual(["single:300", "batch:1000"]);
    for (const step of report.steps) {
      expect(step.accepted, `${step.kind} ${step.offered}`).toBeGreaterThan(0);
      expect(step.failed, `${step.kind} ${step.offered}`).toBe(0);
      expect(step.drained, `${step.kind} ${step.offered}: every accepted transaction in the ledger`).toBe(
        true,
      );
      for (const process of ["gateway", "processor", "ledger-sink", "kafka", "postgres"])
        expect(step.cpuMicros[process], `${process} CPU read from /proc`).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, "bench.html"), "utf8")).toContain("uPlot");
    expect(output).toMatch(/single: highest sustained|single: no step was sustained/);
    if (chromiumAvailable()) expect(existsSync(join(out, "bench.png"))).toBe(true);
  });
});
