// A whole pipeline of its own, started through the project's scripts: a private Postgres cluster, then
// `npm start`'s script (ops/bin/start.sh: native Kafka and registry in a private state dir, topology,
// migrations, FX rates, the apps under the supervisor) on free ports. The chaos checker's nemesis acts on
// it (SIGKILL or pause an app instance, SIGKILL a broker, restart Postgres, stop the registry, and with
// `network: true` fault the links between stages and brokers or Postgres) and the end-to-end benchmark reads
// its processes' CPU. The project's own supervision and scripts bring things back; this module never
// restarts an app itself.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./freePort.ts";
import { NETWORK_PORT_WIDTH, type NetworkFaults, networkPlan } from "./networkFaults.ts";
import { PortBlocks, strided } from "./portBlock.ts";
import { REPO_ROOT } from "./repoRoot.ts";
import { ThrowawayPostgres } from "./throwaway/ThrowawayPostgres.ts";
import { ensureToxiproxy, Toxiproxy } from "./toxiproxy.ts";

export interface ScriptedPipelineOptions {
  readonly processors: number;
  readonly sinks: number;
  /** Gateways (on consecutive ports) and outbox relays: 1 unless set. */
  readonly gateways?: number;
  readonly relays?: number;
  /** Extra postgresql.conf lines for the private cluster (a benchmark wants the stock buffers). */
  readonly postgresSettings?: readonly string[];
  /** Environment for the scripts and apps, over this module's defaults. */
  readonly env?: Readonly<Record<string, string>>;
  /** PROCESSOR_DELIVERY: "at-least-once" breaks exactly-once on purpose (to see the checker catch it). */
  readonly processorDelivery: "exactly-once" | "at-least-once";
  /** Kafka nodes (LEDGERLINE_KAFKA_BROKERS): 1 unless set. */
  readonly brokers?: number;
  /** A TCP proxy (Toxiproxy) on every stage→broker and stage→Postgres link, for `network` faults. */
  readonly network?: boolean;
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
  /** Every gateway instance's URL (the first is `gatewayUrl`). */
  readonly gatewayUrls: readonly string[];
  /** Kafka nodes: node 1 is service "kafka", node i>1 "kafka-i" (ops/stack/lib.sh). */
  readonly brokers: number;
  #toxiproxy: Toxiproxy | undefined;
  readonly #paused = new Set<string>();
  readonly #log: (line: string) => void;

  private constructor(
    stateDir: string,
    env: Record<string, string>,
    postgres: ThrowawayPostgres,
    brokers: number,
    log: (line: string) => void,
  ) {
    this.stateDir = stateDir;
    this.env = env;
    this.postgres = postgres;
    this.gatewayUrls = Array.from(
      { length: Number(env.SUPERVISOR_GATEWAYS ?? 1) },
      (_, i) => `http://127.0.0.1:${Number(env.GATEWAY_PORT) + i}`,
    );
    this.gatewayUrl = this.gatewayUrls[0] as string;
    this.brokers = brokers;
    this.#log = log;
  }

  static async start(options: ScriptedPipelineOptions): Promise<ScriptedPipeline> {
    const stateDir = mkdtempSync(join(tmpdir(), "ledgerline-chaos-"));
    const postgres = await ThrowawayPostgres.create({ settings: options.postgresSettings ?? [] });
    const brokers = options.brokers ?? 1;
    const port = () => freePort();
    const gateways = options.gateways ?? 1;
    const relays = options.relays ?? 1;
    const [registry, management] = await Promise.all([port(), port()]);
    // Ports in patterns: Kafka node i at KAFKA_PORT + 100 (i-1) (its controller one above), stage instance i's
    // ops port at base + 100 i (the sink's one above), the network's listeners and proxies (networkFaults.ts).
    const blocks = new PortBlocks();
    const kafka = await blocks.take(strided(brokers, 2));
    const controller = kafka + 1;
    // The supervisor numbers gateways on consecutive ports, and puts the relays' ops ports after the sinks'.
    const gateway = await blocks.take(Array.from({ length: gateways }, (_, i) => i));
    const instances = Math.max(options.processors, options.sinks + relays);
    const processorBase = await blocks.take(strided(instances, 2));
    // The supervisor's own /metrics: a port of this pipeline's, not the default one a local `npm start` holds.
    const supervisorMetrics = await blocks.take([0]);
    const plan = options.network
      ? networkPlan({
          brokers,
          kafkaPort: kafka,
          postgresPort: postgres.port,
          base: await blocks.take(strided(brokers, NETWORK_PORT_WIDTH)),
        })
      : undefined;
    const bootstrap = Array.from({ length: brokers }, (_, i) => `127.0.0.1:${kafka + 100 * i}`).join(",");
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      // A development pipeline: the gateway takes the development key (every scope).
      LEDGERLINE_ENV: "development",
      LEDGERLINE_STATE: stateDir,
      LEDGERLINE_KAFKA_BROKERS: String(brokers),
      KAFKA_PORT: String(kafka),
      KAFKA_CONTROLLER_PORT: String(controller),
      REGISTRY_PORT: String(registry),
      REGISTRY_MANAGEMENT_PORT: String(management),
      KAFKA_BOOTSTRAP_SERVERS: bootstrap,
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
      SUPERVISOR_METRICS_PORT: String(supervisorMetrics),
      GATEWAY_STAGE_ENDPOINTS: "",
      SUPERVISOR_APPS: "ledger-sink,processor,gateway,outbox-relay",
      SUPERVISOR_PROCESSORS: String(options.processors),
      SUPERVISOR_SINKS: String(options.sinks),
      SUPERVISOR_RELAYS: String(relays),
      SUPERVISOR_GATEWAYS: String(gateways),
      PROCESSOR_DELIVERY: options.processorDelivery,
      LOG_LEVEL: "warn",
      // Clients send from one API client: the per-client limit must not shape the run.
      GATEWAY_RATE_LIMIT_PER_SECOND: "100000",
      GATEWAY_RATE_LIMIT_BURST: "100000",
      KAFKA_HEAP: "-Xms128m -Xmx384m",
      REGISTRY_HEAP: "-Xms64m -Xmx256m",
      LEDGERLINE_START_TIMEOUT: "180",
      ...options.env,
      // The stages through their proxies; the scripts and the checker keep the real addresses.
      ...plan?.env,
    };
    delete env.GATEWAY_STAGE_ENDPOINTS; // the supervisor derives it from the instances it runs
    // start.sh derives the runtime roles' URLs from this cluster's DATABASE_URL, not the caller's.
    for (const name of ["GATEWAY_DATABASE_URL", "LEDGER_SINK_DATABASE_URL", "LEDGERLINE_DATABASE_URL"])
      if (options.env?.[name] === undefined) delete env[name];
    // Without `network`, no proxies: nothing inherited may send a stage to one.
    if (!plan) for (const name of ["KAFKA_EXTRA_LISTENERS", "SUPERVISOR_ROUTES"]) delete env[name];
    const cluster = new ScriptedPipeline(stateDir, env, postgres, brokers, options.log);
    try {
      if (plan) {
        const binary = await ensureToxiproxy(env);
        mkdirSync(join(stateDir, "logs"), { recursive: true });
        cluster.#toxiproxy = await Toxiproxy.start(binary, plan, join(stateDir, "logs", "toxiproxy.log"));
      }
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

  /** The stage→broker and stage→Postgres links and their faults; undefined unless started with `network`. */
  get network(): NetworkFaults | undefined {
    return this.#toxiproxy;
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

  /** A broker's (node 1 "kafka", node i "kafka-i") or the registry's process id, from the stack's pid file. */
  pidOf(service: "kafka" | `kafka-${number}` | "registry"): number | undefined {
    try {
      return Number(readFileSync(join(this.stateDir, "run", `${service}.pid`), "utf8").trim());
    } catch {
      return undefined;
    }
  }

  #signalApp(instance: string, signal: NodeJS.Signals): boolean {
    const pid = this.status().apps.find((a) => a.instance === instance)?.pid;
    if (!pid) return false;
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  killApp(instance: string): boolean {
    return this.#signalApp(instance, "SIGKILL");
  }

  /** SIGSTOP the instance's process: frozen, as by a long GC pause or a suspended host, until resumeApp. */
  pauseApp(instance: string): boolean {
    const paused = this.#signalApp(instance, "SIGSTOP");
    if (paused) this.#paused.add(instance);
    return paused;
  }

  /** SIGCONT the instance's process. */
  resumeApp(instance: string): boolean {
    this.#paused.delete(instance);
    return this.#signalApp(instance, "SIGCONT");
  }

  /** Where the supervisor appends the instance's output, across its restarts (tools/supervisor). */
  appLogPath(instance: string): string {
    return join(this.stateDir, "logs", `${instance}.log`);
  }

  /** SIGKILL broker node `node` (1..brokers); `restartBroker` brings back whichever nodes are down. */
  killBroker(node = 1): void {
    const pid = this.pidOf(node === 1 ? "kafka" : `kafka-${node}`);
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

  /**
   * Stops the apps and the stack through the project's script, then the proxies and the private Postgres.
   * `keepLogsIn`: the stack's and the apps' logs are copied there first (the state dir is deleted).
   */
  async stop(options: { keepLogsIn?: string } = {}): Promise<void> {
    // A paused app would take SIGTERM only when continued: the supervisor's grace would run out first.
    for (const instance of [...this.#paused]) this.resumeApp(instance);
    await this.#script("ops/bin/stop.sh", 120_000).catch((error: unknown) =>
      this.#log(`stop: ${String(error)}`),
    );
    await this.#toxiproxy?.stop().catch((error: unknown) => this.#log(`stop toxiproxy: ${String(error)}`));
    await this.postgres.destroy().catch(() => undefined);
    if (options.keepLogsIn) {
      try {
        cpSync(join(this.stateDir, "logs"), options.keepLogsIn, { recursive: true });
      } catch (error) {
        this.#log(`keep logs: ${String(error)}`);
      }
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
