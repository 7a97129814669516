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
import { REPO_ROOT } from "../pipeline.ts";

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

/** A broker that takes only SASL_SSL (SCRAM-SHA-512) clients and authorizes them by ACL. */
export interface SecureBrokerOptions {
  /** SCRAM users: name → password. "admin" is the super user (it also talks to the broker itself). */
  readonly users: Readonly<Record<string, string>>;
}

/** A CA and a certificate for 127.0.0.1 signed by it, as PEM files: the stack's own script makes them. */
const makeCertificates = (dir: string) =>
  promisify(execFile)("bash", [join(REPO_ROOT, "ops/stack/kafka-certs.sh"), dir], { timeout: 30_000 });

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

  /** The CA that signed a secure broker's certificate (clients trust it: KAFKA_SSL_CA_FILE). */
  get caFile(): string {
    return join(this.dir, "ca.pem");
  }

  static async create(options: { readonly secure?: SecureBrokerOptions } = {}): Promise<ThrowawayBroker> {
    const dir = mkdtempSync(join(tmpdir(), "ledgerline-broker-"));
    const broker = new ThrowawayBroker(dir, await freePort(), await freePort());
    const secure = options.secure;
    if (secure) await makeCertificates(dir);
    const adminPassword = secure?.users.admin;
    if (secure && adminPassword === undefined) throw new Error("a secure broker needs an admin user");
    const listener = secure ? "SASL_SSL" : "PLAINTEXT";
    writeFileSync(
      join(dir, "server.properties"),
      [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@127.0.0.1:${broker.#controllerPort}`,
        `listeners=${listener}://127.0.0.1:${broker.port},CONTROLLER://127.0.0.1:${broker.#controllerPort}`,
        `advertised.listeners=${listener}://127.0.0.1:${broker.port}`,
        "controller.listener.names=CONTROLLER",
        `listener.security.protocol.map=CONTROLLER:PLAINTEXT,${listener}:${listener}`,
        ...(secure
          ? [
              `inter.broker.listener.name=${listener}`,
              "sasl.enabled.mechanisms=SCRAM-SHA-512",
              "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
              `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${adminPassword}";`,
              "ssl.keystore.type=PEM",
              `ssl.keystore.location=${join(dir, "broker-keystore.pem")}`,
              "ssl.truststore.type=PEM",
              `ssl.truststore.location=${join(dir, "ca.pem")}`,
              "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
              // The controller listener is plain text on loopback: the broker reaches it as ANONYMOUS.
              "super.users=User:admin;User:ANONYMOUS",
              "allow.everyone.if.no.acl.found=false",
            ]
          : []),
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
        // SCRAM credentials are written with the metadata at format time (KRaft).
        ...Object.entries(secure?.users ?? {}).flatMap(([name, password]) => [
          "--add-scram",
          `SCRAM-SHA-512=[name=${name},password=${password}]`,
        ]),
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
