// Test fixture: the three apps (gateway, processor, ledger-sink) as child processes in a fresh
// namespace and database schema, stopped (and cleaned up) after the test.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { testEnvironment } from "./environment.ts";
import { createTestNamespace, type TestNamespace } from "./namespace.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export type AppName = "gateway" | "processor" | "ledger-sink";

export interface Pipeline {
  readonly namespace: TestNamespace;
  readonly database: TestDatabase;
  readonly gatewayUrl: string;
  /** Environment for the CLI (and any other child) pointed at this pipeline. */
  readonly env: Record<string, string>;
  /** Recent output of an app, for failure messages. */
  logs(app: AppName): string;
  stop(): Promise<void>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });

const waitForHttp = async (url: string, timeoutMs: number, alive: () => boolean): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error("the gateway exited during start-up");
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`gateway did not answer at ${url} within ${timeoutMs} ms`);
};

export const startPipeline = async (
  label: string,
  apps: readonly AppName[] = ["gateway", "processor", "ledger-sink"],
  /** Extra environment for the apps, applied last (e.g. LOG_LEVEL, OTEL_EXPORTER_OTLP_ENDPOINT). */
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<Pipeline> => {
  const [namespace, database, port] = await Promise.all([
    createTestNamespace(label),
    createTestDatabase(label),
    freePort(),
  ]);
  const environment = testEnvironment();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KAFKA_BOOTSTRAP_SERVERS: environment.bootstrapServers,
    SCHEMA_REGISTRY_URL: environment.registryUrl,
    LEDGERLINE_NAMESPACE: namespace.namespace,
    DATABASE_URL: database.url,
    GATEWAY_PORT: String(port),
    LEDGERLINE_GATEWAY_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: "warn",
    // The simulator and k6 send from one client: the per-client limit must not shape the test.
    GATEWAY_RATE_LIMIT_PER_SECOND: "100000",
    GATEWAY_RATE_LIMIT_BURST: "100000",
    // Pipelines run side by side in tests: no fixed metrics ports (tests that scrape pass free ones).
    PROCESSOR_METRICS_PORT: "0",
    LEDGER_SINK_METRICS_PORT: "0",
    ...extraEnv,
  };
  const children = new Map<AppName, ChildProcess>();
  const output = new Map<AppName, string>();
  for (const app of apps) {
    const child = spawn(process.execPath, [resolve(REPO_ROOT, `apps/${app}/src/main.ts`)], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    output.set(app, "");
    const keep = (chunk: Buffer) =>
      output.set(app, `${output.get(app) ?? ""}${chunk.toString("utf8")}`.slice(-20_000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    children.set(app, child);
  }
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
            child.once("exit", () => {
              clearTimeout(timer);
              done();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    await database.cleanup().catch(() => undefined);
    await namespace.cleanup().catch(() => undefined);
  };
  const gatewayUrl = `http://127.0.0.1:${port}`;
  try {
    if (apps.includes("gateway")) {
      const gateway = children.get("gateway")!;
      await waitForHttp(`${gatewayUrl}/reports`, 60_000, () => gateway.exitCode === null);
    }
  } catch (error) {
    const logs = output.get("gateway") ?? "";
    await stop();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
  return { namespace, database, gatewayUrl, env, logs: (app) => output.get(app) ?? "", stop };
};
