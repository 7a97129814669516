// A whole pipeline of its own, started through the project's scripts: a private Postgres cluster, then
// `npm start`'s script (ops/bin/start.sh: native Kafka and registry in a private state dir, topology,
// migrations, FX rates, the apps under the supervisor) on free ports. The chaos checker's nemesis acts on
// it (SIGKILL an app instance or the broker, restart Postgres, stop the registry) and the end-to-end
// benchmark reads its processes' CPU. The project's own supervision and scripts bring things back; this
// module never restarts an app itself.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./freePort.ts";
import { REPO_ROOT } from "./repoRoot.ts";
import { ThrowawayPostgres } from "./throwaway/ThrowawayPostgres.ts";

export interface ScriptedPipelineOptions {
  readonly processors: number;
  readonly sinks: number;
  /** Extra postgresql.conf lines for the private cluster (a benchmark wants the stock buffers). */
  readonly postgresSettings?: readonly string[];
  /** Environment for the scripts and apps, over this module's defaults. */
  readonly env?: Readonly<Record<string, string>>;
  /** PROCESSOR_DELIVERY: "at-least-once" breaks exactly-once on purpose (to see the checker catch it). */
  readonly processorDelivery: "exactly-once" | "at-least-once";
  readonly log: (line: string) => void;
}

export interface SupervisorStatus {
  readonly apps: readonly { instance: string; app: string; pid?: number; restarts: number; state: string }[];
}

export class ScriptedPipeline {
  readonly stateDir: string;
  readonly env: Record<string, string>;
  readonly postgres: ThrowawayPostgres;
  readonly gatewayUrl: string;
  readonly #log: (line: string) => void;

  private constructor(
    stateDir: string,
    env: Record<string, string>,
    postgres: ThrowawayPostgres,
    log: (line: string) => void,
  ) {
    this.stateDir = stateDir;
    this.env = env;
    this.postgres = postgres;
    this.gatewayUrl = `http://127.0.0.1:${env.GATEWAY_PORT}`;
    this.#log = log;
  }

  static async start(options: ScriptedPipelineOptions): Promise<ScriptedPipeline> {
    const stateDir = mkdtempSync(join(tmpdir(), "ledgerline-chaos-"));
    const postgres = await ThrowawayPostgres.create({ settings: options.postgresSettings ?? [] });
    const port = () => freePort();
    const [kafka, controller, registry, management, gateway] = await Promise.all([
      port(),
      port(),
      port(),
      port(),
      port(),
    ]);
    // Ops ports: instance i of a stage listens on base + 100 i; pick bases with room above them, below
    // the kernel's ephemeral range (32768+), where any outgoing connection may hold a port.
    const processorBase = 20_000 + Math.floor(Math.random() * 12_000);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      // A development pipeline: the gateway takes the development key (every scope).
      LEDGERLINE_ENV: "development",
      LEDGERLINE_STATE: stateDir,
      KAFKA_PORT: String(kafka),
      KAFKA_CONTROLLER_PORT: String(controller),
      REGISTRY_PORT: String(registry),
      REGISTRY_MANAGEMENT_PORT: String(management),
      KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${kafka}`,
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${registry}/apis/ccompat/v7`,
      PGHOST: "127.0.0.1",
      PGPORT: String(postgres.port),
      DATABASE_URL: postgres.url("ledgerline"),
      TEST_DATABASE_URL: postgres.url("ledgerline_test"),
      DATABASE_ADMIN_URL: `postgresql://postgres@/postgres?host=${encodeURIComponent(postgres.dir)}&port=${postgres.port}`,
      LEDGERLINE_NAMESPACE: "",
      GATEWAY_PORT: String(gateway),
      PROCESSOR_METRICS_PORT: String(processorBase),
      LEDGER_SINK_METRICS_PORT: String(processorBase + 1),
      GATEWAY_STAGE_ENDPOINTS: "",
      SUPERVISOR_APPS: "ledger-sink,processor,gateway,outbox-relay",
      SUPERVISOR_PROCESSORS: String(options.processors),
      SUPERVISOR_SINKS: String(options.sinks),
      SUPERVISOR_RELAYS: "1",
      PROCESSOR_DELIVERY: options.processorDelivery,
      LOG_LEVEL: "warn",
      // Clients send from one API client: the per-client limit must not shape the run.
      GATEWAY_RATE_LIMIT_PER_SECOND: "100000",
      GATEWAY_RATE_LIMIT_BURST: "100000",
      KAFKA_HEAP: "-Xms128m -Xmx384m",
      REGISTRY_HEAP: "-Xms64m -Xmx256m",
      LEDGERLINE_START_TIMEOUT: "180",
      ...options.env,
    };
    delete env.GATEWAY_STAGE_ENDPOINTS; // the supervisor derives it from the instances it runs
    // start.sh derives the runtime roles' URLs from this cluster's DATABASE_URL, not the caller's.
    for (const name of ["GATEWAY_DATABASE_URL", "LEDGER_SINK_DATABASE_URL", "LEDGERLINE_DATABASE_URL"])
      if (options.env?.[name] === undefined) delete env[name];
    const cluster = new ScriptedPipeline(stateDir, env, postgres, options.log);
    try {
      await cluster.#script("ops/bin/start.sh", 300_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Runs one of the project's scripts with this cluster's environment. */
  #script(path: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const child: ChildProcess = spawn("bash", [path], {
        cwd: REPO_ROOT,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      const keep = (chunk: Buffer) => {
        output = `${output}${chunk.toString("utf8")}`.slice(-8_000);
      };
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`${path} exited ${code}:\n${output}`));
      });
    });
  }

  status(): SupervisorStatus {
    try {
      return JSON.parse(
        readFileSync(join(this.stateDir, "run", "supervisor.json"), "utf8"),
      ) as SupervisorStatus;
    } catch {
      return { apps: [] };
    }
  }

  /** Every app instance the supervisor runs (gateway, processor-1, ledger-sink, outbox-relay...). */
  instances(): string[] {
    return this.status().apps.map((a) => a.instance);
  }

  restarts(): Record<string, number> {
    return Object.fromEntries(this.status().apps.map((a) => [a.instance, a.restarts]));
  }

  /** The broker's or the registry's process id, from the stack's pid file. */
  pidOf(service: "kafka" | "registry"): number | undefined {
    try {
      return Number(readFileSync(join(this.stateDir, "run", `${service}.pid`), "utf8").trim());
    } catch {
      return undefined;
    }
  }

  killApp(instance: string): boolean {
    const pid = this.status().apps.find((a) => a.instance === instance)?.pid;
    if (!pid) return false;
    try {
      process.kill(pid, "SIGKILL");
      return true;
    } catch {
      return false;
    }
  }

  /** SIGKILL the broker; `restartBroker` brings it back with the stack's own script. */
  killBroker(): void {
    const pid = this.pidOf("kafka");
    if (pid) process.kill(pid, "SIGKILL");
  }

  async restartBroker(): Promise<void> {
    await this.#script("ops/stack/up.sh", 180_000);
  }

  async stopRegistry(): Promise<void> {
    const pid = this.pidOf("registry");
    if (!pid) return;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    process.kill(pid, "SIGKILL");
  }

  async startRegistry(): Promise<void> {
    await this.#script("ops/stack/up.sh", 180_000);
  }

  async restartPostgres(): Promise<void> {
    await this.postgres.restartImmediate();
  }

  /** Stops the apps and the stack through the project's script, then the private Postgres. */
  async stop(): Promise<void> {
    await this.#script("ops/bin/stop.sh", 120_000).catch((error: unknown) =>
      this.#log(`stop: ${String(error)}`),
    );
    await this.postgres.destroy().catch(() => undefined);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
