// The supervisor `npm start` runs, against the real stack: SIGKILL each app in turn; without anyone
// running a command it is back, with a new pid, and ready within 15 s.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sampleSum } from "@ledgerline/observability";
import {
  createTestDatabase,
  createTestNamespace,
  freePort,
  REPO_ROOT,
  type TestDatabase,
  type TestNamespace,
  testEnvironment,
} from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppName } from "../src/Config.ts";
import { readStatus } from "../src/Supervisor.ts";

const BACK_WITHIN_MS = 15_000;
const APPS = ["ledger-sink", "processor", "gateway"] as const satisfies readonly AppName[];

describe("supervisor", () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let stateDir: string;
  let supervisor: ChildProcess;
  let output = "";
  const readyUrl = {} as Record<(typeof APPS)[number], string>;
  let metricsUrl = "";

  const ready = async (app: (typeof APPS)[number]) => {
    try {
      const response = await fetch(readyUrl[app], { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  };
  const pidOf = (app: AppName) => readStatus(stateDir)?.apps.find((a) => a.app === app)?.pid;
  const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${what} not within ${timeoutMs} ms\n${output.slice(-3_000)}`);
  };

  beforeAll(async () => {
    [ns, db] = await Promise.all([createTestNamespace("supervisor"), createTestDatabase("supervisor")]);
    stateDir = mkdtempSync(join(tmpdir(), "ledgerline-supervisor-"));
    const [gateway, processor, sink, metrics] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
    readyUrl.gateway = `http://127.0.0.1:${gateway}/ready`;
    readyUrl.processor = `http://127.0.0.1:${processor}/ready`;
    readyUrl["ledger-sink"] = `http://127.0.0.1:${sink}/ready`;
    const environment = testEnvironment();
    supervisor = spawn(process.execPath, [resolve(REPO_ROOT, "tools/supervisor/src/main.ts")], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        LEDGERLINE_STATE: stateDir,
        LEDGERLINE_NAMESPACE: ns.namespace,
        KAFKA_BOOTSTRAP_SERVERS: environment.bootstrapServers,
        SCHEMA_REGISTRY_URL: environment.registryUrl,
        DATABASE_URL: db.url,
        GATEWAY_PORT: String(gateway),
        PROCESSOR_METRICS_PORT: String(processor),
        LEDGER_SINK_METRICS_PORT: String(sink),
        SUPERVISOR_METRICS_PORT: String(metrics),
        LOG_LEVEL: "warn",
        LEDGERLINE_ENV: "development",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => {
      output = `${output}${chunk.toString("utf8")}`.slice(-20_000);
    };
    supervisor.stdout?.on("data", keep);
    supervisor.stderr?.on("data", keep);
    await waitUntil(
      "every app ready",
      async () => (await Promise.all(APPS.map(ready))).every(Boolean),
      90_000,
    );
  }, 150_000);

  afterAll(async () => {
    if (supervisor && supervisor.exitCode === null) {
      const exited = new Promise((r) => supervisor.once("exit", r));
      supervisor.kill("SIGTERM");
      await exited;
    }
    // The supervisor stopped every app it ran.
    for (const app of readStatus(stateDir)?.apps ?? []) expect(app.state).toBe("stopped");
    await Promise.all([ns?.cleanup(), db?.cleanup()]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("GET /status on the gateway shows every stage it runs, each ready", async () => {
    const statusUrl = readyUrl.gateway.replace(/\/ready$/, "/status");
    let body:
      | { status: string; stages: { stage: string; state: string; instances: unknown[] }[] }
      | undefined;
    await waitUntil(
      "the pipeline flowing",
      async () => {
        const response = await fetch(statusUrl, {
          headers: { Authorization: "Bearer dev-key-change-me" },
          signal: AbortSignal.timeout(3_000),
        }).catch(() => null);
        body = response?.ok ? ((await response.json()) as typeof body) : undefined;
        return body?.status === "flowing";
      },
      30_000,
    );
    expect(body?.stages.map((s) => [s.stage, s.state, s.instances.length])).toEqual([
      ["gateway", "ready", 1],
      ["processor", "ready", 1],
      ["ledger-sink", "ready", 1],
    ]);
  });

  it.each(APPS)("brings %s back after a SIGKILL, ready within 15 s", async (app) => {
    const before = pidOf(app);
    expect(before).toBeDefined();
    const killedAt = Date.now();
    process.kill(before!, "SIGKILL");
    await waitUntil(
      `${app} back and ready`,
      async () => pidOf(app) !== undefined && pidOf(app) !== before && (await ready(app)),
      BACK_WITHIN_MS,
    );
    const took = Date.now() - killedAt;
    console.log(`supervisor: ${app} ready again ${took} ms after SIGKILL`);
    expect(readStatus(stateDir)?.apps.find((a) => a.app === app)?.restarts).toBe(1);
    expect(output).toContain(`${app} exited (signal SIGKILL)`);
    // The supervisor's own /metrics counts it, by how the app exited.
    const text = await (await fetch(metricsUrl)).text();
    expect(sampleSum(text, "ledgerline_supervisor_restarts_total", { stage: app, reason: "sigkill" })).toBe(
      1,
    );
  });
});
