// A private single-node Kafka (KRaft) started from the stack's cached jars, for tests that must stop
// a broker. The shared broker at 127.0.0.1:9092 is never touched. Why not a TCP proxy in front of
// it: Kafka advertises 127.0.0.1:9092 in metadata, so clients bypass a proxy after bootstrap.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../freePort.ts";

const KAFKA_HOME =
  process.env.KAFKA_HOME ?? join(process.env.LEDGERLINE_CACHE ?? "/root/.cache/ledgerline", "kafka-4.2.1");
const JAVA = process.env.KAFKA_JAVA_HOME ? join(process.env.KAFKA_JAVA_HOME, "bin/java") : "java";

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, "127.0.0.1");
  });

/**
 * 16 random bytes in base64url, as Kafka's own `random-uuid` makes them, and like it never starting with
 * "-": kafka-storage would read such an id as an option ("argument --cluster-id/-t: expected one argument").
 */
const newClusterId = (): string => {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
};

export class ThrowawayBroker {
  readonly dir: string;
  readonly port: number;
  readonly #controllerPort: number;
  #process: ChildProcess | undefined;

  private constructor(dir: string, port: number, controllerPort: number) {
    this.dir = dir;
    this.port = port;
    this.#controllerPort = controllerPort;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async create(): Promise<ThrowawayBroker> {
    const dir = mkdtempSync(join(tmpdir(), "ledgerline-broker-"));
    const broker = new ThrowawayBroker(dir, await freePort(), await freePort());
    writeFileSync(
      join(dir, "server.properties"),
      [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@127.0.0.1:${broker.#controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${broker.port},CONTROLLER://127.0.0.1:${broker.#controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${broker.port}`,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        `log.dirs=${join(dir, "data")}`,
        "num.partitions=3",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "group.share.enable=false",
        "num.network.threads=2",
        "num.io.threads=2",
      ].join("\n"),
    );
    const clusterId = newClusterId();
    await promisify(execFile)(
      JAVA,
      [
        "-Xmx256m",
        "-cp",
        `${KAFKA_HOME}/libs/*`,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId,
        "-c",
        join(dir, "server.properties"),
        "--feature",
        "share.version=0",
      ],
      { timeout: 60_000 },
    );
    await broker.start();
    return broker;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    this.#process = spawn(
      JAVA,
      [
        "-Xms128m",
        "-Xmx384m",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        `-Dkafka.logs.dir=${this.dir}`,
        "-cp",
        `${KAFKA_HOME}/libs/*`,
        "kafka.Kafka",
        join(this.dir, "server.properties"),
      ],
      { cwd: this.dir, stdio: "ignore" },
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#process.exitCode !== null)
        throw new Error(`throwaway broker exited with ${this.#process.exitCode}`);
      if (await portOpen(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`throwaway broker not listening on ${this.port} after ${timeoutMs} ms`);
  }

  /** Kills the broker process (SIGKILL: an abrupt outage). Data on disk stays for the restart. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** stop() then start(): a crash-like restart on the same data and port. */
  async restart(timeoutMs?: number): Promise<void> {
    await this.stop();
    await this.start(timeoutMs);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
