// The supervisor's own GET /metrics, in process, over two tiny apps: one that exits 1 at once (a fatal
// fault at startup, dead before any scrape of its own) and one that keeps running. A few seconds.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleSum } from "@ledgerline/observability";
import { freePort } from "@ledgerline/testkit";
import { Effect, Fiber, Layer, Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SupervisorConfig, type SupervisorSettings } from "../src/Config.ts";
import { supervise } from "../src/Supervisor.ts";
import { exitReason } from "../src/supervisorMetrics.ts";

describe("the supervisor's /metrics", () => {
  let dir: string;
  let url: string;
  let fiber: Fiber.Fiber<void, unknown>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ledgerline-supervisor-metrics-"));
    writeFileSync(join(dir, "crash.mjs"), 'console.error("fatal: bad setting"); process.exit(1);\n');
    writeFileSync(join(dir, "steady.mjs"), "setInterval(() => {}, 1_000);\n");
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    const app = (app: "processor" | "ledger-sink", entry: string) => ({
      app,
      instance: app,
      entry: join(dir, entry),
      env: {},
      readyUrl: "http://127.0.0.1:1/ready",
    });
    const settings: SupervisorSettings = {
      repoRoot: dir,
      stateDir: dir,
      instances: [app("processor", "crash.mjs"), app("ledger-sink", "steady.mjs")],
      restart: { baseMs: 50, maxMs: 200, stableAfterMs: 10_000 },
      stopTimeoutMs: 2_000,
      metrics: { host: "127.0.0.1", port },
      apiKey: Redacted.make("test"),
      inherited: process.env,
    };
    fiber = Effect.runFork(
      supervise.pipe(Effect.scoped, Effect.provide(Layer.succeed(SupervisorConfig, settings))),
    );
  });

  afterAll(async () => {
    if (fiber) await Effect.runPromise(Fiber.interrupt(fiber));
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    return response?.ok ? response.text() : "";
  };

  it("counts each restart by stage, instance and exit reason", async () => {
    const restarts = (labels: Record<string, string>) => (text: string) =>
      sampleSum(text, "ledgerline_supervisor_restarts_total", labels);
    const crashing = { stage: "processor", stage_instance: "processor" };
    let text = "";
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      text = await scrape();
      if (restarts({ ...crashing, reason: "exit_1" })(text) >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(restarts({ ...crashing, reason: "exit_1" })(text)).toBeGreaterThanOrEqual(3);
    // Every reason's series exists from the start (at 0), so increase() sees the first restart.
    expect(text).toContain(
      'ledgerline_supervisor_restarts_total{stage="processor",stage_instance="processor",reason="sigkill",service="supervisor"} 0',
    );
    // The app that keeps running was never restarted and is not waiting on a backoff.
    expect(restarts({ stage: "ledger-sink" })(text)).toBe(0);
    expect(text).toContain(
      'ledgerline_supervisor_restarts_total{stage="ledger-sink",stage_instance="ledger-sink",reason="exit_1",service="supervisor"} 0',
    );
    expect(sampleSum(text, "ledgerline_supervisor_restart_backoff_seconds", { stage: "ledger-sink" })).toBe(
      0,
    );
  });

  it("shows the crashing app's backoff while it waits to start it again", async () => {
    // The crasher spends most of its time in backoff (doubling to 200 ms): catch it there.
    let backoff = 0;
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && backoff === 0) {
      backoff = sampleSum(await scrape(), "ledgerline_supervisor_restart_backoff_seconds", {
        stage: "processor",
      });
    }
    expect(backoff).toBeGreaterThan(0);
    expect(backoff).toBeLessThanOrEqual(0.2);
  });
});

describe("exitReason", () => {
  it.each([
    [{ code: 0, signal: null }, "exit_0"],
    [{ code: 1, signal: null }, "exit_1"],
    [{ code: 78, signal: null }, "exit_other"],
    [{ code: null, signal: "SIGKILL" }, "sigkill"],
    [{ code: null, signal: "SIGSEGV" }, "signal"],
  ] as const)("%o is %s", (exit, reason) => {
    expect(exitReason(exit)).toBe(reason);
  });
});
