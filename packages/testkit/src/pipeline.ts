// Test fixture: the three apps (gateway, processor, ledger-sink) as child processes in a fresh
// namespace and database schema, stopped (and cleaned up) after the test. Fault tests point it at
// throwaway services and check that no app exited.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { parseBrokers } from "@ledgerline/kafka";
import type { TopologyEnvironment } from "@ledgerline/topology";
import { createTestDatabase, type TestDatabase, withRole } from "./database.ts";
import { testEnvironment } from "./environment.ts";
import { freePort } from "./freePort.ts";
import { createTestNamespace, type TestNamespace } from "./namespace.ts";
import type { PostedTopic } from "./publishedEvents.ts";
import { REPO_ROOT } from "./repoRoot.ts";

export { REPO_ROOT };

export type AppName = "gateway" | "processor" | "ledger-sink";

export interface AppExit {
  readonly app: AppName;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Killed by the test itself (kill()), as opposed to exiting on its own. */
  readonly byTest: boolean;
}

export interface PipelineOptions {
  /** Extra environment for the apps, applied last (e.g. LOG_LEVEL, OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly env?: Readonly<Record<string, string>>;
  /** Environment of one app only, applied after `env` (e.g. its own Kafka principal). */
  readonly appEnv?: Readonly<Partial<Record<AppName, Readonly<Record<string, string>>>>>;
  /** Runs once the namespace exists, before any app starts (e.g. granting the stages' ACLs). */
  readonly beforeStart?: (namespace: TestNamespace) => Promise<void>;
  /** How the namespace's topics are created on a secured broker (the admin principal). */
  readonly kafkaSecurity?: TopologyEnvironment["kafkaSecurity"];
  /** Services other than the shared ones (a throwaway broker, registry or Postgres). */
  readonly bootstrapServers?: string;
  readonly registryUrl?: string;
  /** A database URL in which the test's schema is created (default TEST_DATABASE_URL). */
  readonly databaseUrl?: string;
  /** Serve the processor's and the sink's /ready and /metrics on free ports (needed by awaitReady). */
  readonly opsEndpoints?: boolean;
  /** Gateway start-up bound (a new broker or registry may take a while). */
  readonly startTimeoutMs?: number;
}

/** A further instance of a stage, started beside the pipeline's own (startInstance). */
export interface StageInstance {
  readonly app: "processor" | "ledger-sink";
  readonly instanceId: string;
  readonly pid: number | undefined;
  /** Sends the signal and resolves once the process has exited (SIGTERM: a scale-down; SIGKILL: a crash). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with the exit, whoever caused it. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  logs(): string;
}

export interface Pipeline {
  readonly namespace: TestNamespace;
  readonly database: TestDatabase;
  readonly gatewayUrl: string;
  /** When the apps were spawned (Date.now()). */
  readonly startedAt: number;
  /** Environment for the CLI (and any other child) pointed at this pipeline. */
  readonly env: Record<string, string>;
  /** Where the outbox relay publishes (the ledger invariants read every posted event back). */
  readonly posted: PostedTopic;
  /** Recent output of an app, for failure messages. */
  logs(app: AppName): string;
  /** Every exit of an app so far; a fault test expects none that the test did not cause. */
  exits(): readonly AppExit[];
  /** The app's ops endpoint (processor, sink) or its own URL (gateway), when opsEndpoints is on. */
  readyUrl(app: AppName): string | undefined;
  /** Resolves once every app answers ready; rejects after the bound with what each one says. */
  awaitReady(timeoutMs?: number): Promise<void>;
  /** SIGKILLs an app and starts it again with the same environment. */
  restart(app: AppName): Promise<void>;
  /** SIGKILLs an app and leaves it stopped (start() brings it back). */
  kill(app: AppName): Promise<void>;
  /** Starts an app that kill() stopped, with the same environment. */
  start(app: AppName): void;
  pid(app: AppName): number | undefined;
  /**
   * Starts another instance of a stage with its own instance id (the pipeline's own are "0"), no ops
   * port, and the pipeline's environment; stopped with the pipeline. Its exits count in exits().
   */
  startInstance(app: "processor" | "ledger-sink", instanceId: string): StageInstance;
  stop(): Promise<void>;
}

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
  options: PipelineOptions = {},
): Promise<Pipeline> => {
  const environment = {
    ...testEnvironment(),
    ...(options.bootstrapServers ? { bootstrapServers: options.bootstrapServers } : {}),
    ...(options.registryUrl ? { registryUrl: options.registryUrl } : {}),
  };
  const [namespace, database, port, processorPort, sinkPort] = await Promise.all([
    createTestNamespace(label, {
      environment: {
        bootstrapServers: environment.bootstrapServers,
        registryUrl: environment.registryUrl,
        ...(options.kafkaSecurity ? { kafkaSecurity: options.kafkaSecurity } : {}),
      },
    }),
    createTestDatabase(label, options.databaseUrl),
    freePort(),
    options.opsEndpoints ? freePort() : Promise.resolve(0),
    options.opsEndpoints ? freePort() : Promise.resolve(0),
  ]);
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const opsUrls: Record<AppName, string | undefined> = {
    gateway: gatewayUrl,
    processor: processorPort ? `http://127.0.0.1:${processorPort}` : undefined,
    "ledger-sink": sinkPort ? `http://127.0.0.1:${sinkPort}` : undefined,
  };
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KAFKA_BOOTSTRAP_SERVERS: environment.bootstrapServers,
    SCHEMA_REGISTRY_URL: environment.registryUrl,
    LEDGERLINE_NAMESPACE: namespace.namespace,
    DATABASE_URL: database.url,
    // On the shared Postgres the apps run as their runtime roles (ops/stack/up.sh), so every pipeline
    // test proves their grants are enough; a throwaway Postgres has no such roles.
    ...(options.databaseUrl === undefined
      ? {
          GATEWAY_DATABASE_URL: withRole(database.url, "ledgerline_gateway"),
          LEDGER_SINK_DATABASE_URL: withRole(database.url, "ledgerline_sink"),
          LEDGERLINE_DATABASE_URL: withRole(database.url, "ledgerline_ops"),
        }
      : {
          GATEWAY_DATABASE_URL: database.url,
          LEDGER_SINK_DATABASE_URL: database.url,
          LEDGERLINE_DATABASE_URL: database.url,
        }),
    GATEWAY_PORT: String(port),
    LEDGERLINE_GATEWAY_URL: gatewayUrl,
    LOG_LEVEL: "warn",
    // Test pipelines are development pipelines: the gateway takes the development key (every scope).
    LEDGERLINE_ENV: "development",
    // The simulator and k6 send from one client: the per-client limit must not shape the test.
    GATEWAY_RATE_LIMIT_PER_SECOND: "100000",
    GATEWAY_RATE_LIMIT_BURST: "100000",
    // Pipelines run side by side in tests: no fixed ports (tests that scrape or wait for readiness get free ones).
    PROCESSOR_METRICS_PORT: String(processorPort),
    LEDGER_SINK_METRICS_PORT: String(sinkPort),
    GATEWAY_STAGE_ENDPOINTS: [
      ...(opsUrls.processor ? [`processor=${opsUrls.processor}`] : []),
      ...(opsUrls["ledger-sink"] ? [`ledger-sink=${opsUrls["ledger-sink"]}`] : []),
    ].join(","),
    ...options.env,
  };
  const children = new Map<AppName, ChildProcess>();
  const extraInstances = new Set<ChildProcess>();
  const output = new Map<string, string>();
  const exits: AppExit[] = [];
  const killedByTest = new Set<ChildProcess>();
  let stopping = false;
  /** Spawns an app; its output is kept under `key` (the app, or "<app>#<instance id>"). */
  const spawnApp = (app: AppName, key: string, extraEnv: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [resolve(REPO_ROOT, `apps/${app}/src/main.ts`)], {
      cwd: REPO_ROOT,
      env: { ...env, ...options.appEnv?.[app], ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) =>
      output.set(key, `${output.get(key) ?? ""}${chunk.toString("utf8")}`.slice(-20_000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", (code, signal) => {
      if (!stopping) exits.push({ app, code, signal, byTest: killedByTest.has(child) });
    });
    return child;
  };
  const launch = (app: AppName) => {
    children.set(app, spawnApp(app, app));
  };
  await options.beforeStart?.(namespace);
  const startedAt = Date.now();
  for (const app of apps) {
    output.set(app, "");
    launch(app);
  }
  const terminate = (child: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(timer);
        done();
      });
      child.kill(signal);
    });
  const stop = async () => {
    stopping = true;
    await Promise.all([...children.values(), ...extraInstances].map((child) => terminate(child, "SIGTERM")));
    await database.cleanup().catch(() => undefined);
    await namespace.cleanup().catch(() => undefined);
  };
  const readyPath = (app: AppName) => {
    const base = opsUrls[app];
    return base ? `${base}/ready` : undefined;
  };
  const awaitReady = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    const last = new Map<AppName, string>();
    for (;;) {
      const pending = await Promise.all(
        apps.map(async (app) => {
          const url = readyPath(app);
          if (!url) return undefined;
          try {
            const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
            last.set(app, `${response.status} ${(await response.text()).slice(0, 400)}`);
            return response.ok ? undefined : app;
          } catch (error) {
            last.set(app, `no answer: ${(error as Error).message}`);
            return app;
          }
        }),
      );
      const notReady = pending.filter((app): app is AppName => app !== undefined);
      if (notReady.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `not ready after ${timeoutMs} ms: ${notReady.map((app) => `${app}: ${last.get(app)}\n${(output.get(app) ?? "").slice(-2_000)}`).join("\n")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const kill = async (app: AppName) => {
    const child = children.get(app);
    if (child) {
      killedByTest.add(child);
      await terminate(child, "SIGKILL");
    }
  };
  try {
    if (apps.includes("gateway")) {
      const gateway = children.get("gateway")!;
      await waitForHttp(
        `${gatewayUrl}/livez`,
        options.startTimeoutMs ?? 60_000,
        () => gateway.exitCode === null,
      );
    }
  } catch (error) {
    const logs = output.get("gateway") ?? "";
    await stop();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
  return {
    namespace,
    database,
    gatewayUrl,
    startedAt,
    env,
    posted: {
      bootstrapBrokers: parseBrokers(env.KAFKA_BOOTSTRAP_SERVERS as string),
      topic: namespace.names.topic("posted"),
    },
    logs: (app) => output.get(app) ?? "",
    exits: () => [...exits],
    readyUrl: readyPath,
    awaitReady,
    pid: (app) => children.get(app)?.pid,
    restart: async (app) => {
      await kill(app);
      launch(app);
    },
    kill,
    startInstance: (app, instanceId) => {
      const key = `${app}#${instanceId}`;
      output.set(key, "");
      const child = spawnApp(
        app,
        key,
        app === "processor"
          ? { PROCESSOR_INSTANCE_ID: instanceId, PROCESSOR_METRICS_PORT: "0" }
          : { LEDGER_SINK_INSTANCE_ID: instanceId, LEDGER_SINK_METRICS_PORT: "0" },
      );
      extraInstances.add(child);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        child.once("exit", (code, signal) => done({ code, signal })),
      );
      return {
        app,
        instanceId,
        pid: child.pid,
        exited,
        logs: () => output.get(key) ?? "",
        kill: async (signal = "SIGKILL") => {
          killedByTest.add(child);
          await terminate(child, signal);
        },
      };
    },
    start: (app) => {
      const child = children.get(app);
      if (child && child.exitCode === null && child.signalCode === null)
        throw new Error(`${app} is running; kill() it first`);
      launch(app);
    },
    stop,
  };
};
