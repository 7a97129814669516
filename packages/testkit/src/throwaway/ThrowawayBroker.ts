// A private Kafka (KRaft) started from the stack's cached jars, for tests that must stop a broker: one
// node, or a cluster of several combined broker+controller nodes (a quorum of N voters, internal topics
// replicated like a production cluster's). The shared broker is never touched. A plain TCP proxy in
// front of it would not see much: Kafka advertises its own address in metadata, so clients bypass a
// proxy after bootstrap. With `proxiedListener`, a second listener advertises the proxy's address
// instead, so every client that bootstraps from the proxy stays behind it.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../freePort.ts";
import { REPO_ROOT } from "../repoRoot.ts";

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

/** One node of a throwaway cluster: its own JVM, ports and data directory. */
class BrokerNode {
  readonly id: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly dir: string;
  /** The proxied listener's own port (what the proxy forwards to), when there is one. */
  readonly proxiedPort: number | undefined;
  #process: ChildProcess | undefined;

  constructor(id: number, port: number, controllerPort: number, dir: string, proxiedPort?: number) {
    this.id = id;
    this.port = port;
    this.controllerPort = controllerPort;
    this.dir = dir;
    this.proxiedPort = proxiedPort;
  }

  get running(): boolean {
    const child = this.#process;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  async start(timeoutMs: number): Promise<void> {
    if (this.running) return;
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
        throw new Error(`throwaway broker node ${this.id} exited with ${this.#process.exitCode}`);
      if (await portOpen(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`throwaway broker node ${this.id} not listening on ${this.port} after ${timeoutMs} ms`);
  }

  /**
   * SIGKILL (default): an abrupt outage. SIGTERM: a graceful stop, as Kubernetes does, in which the node
   * hands its partitions' leadership over before it exits. Its data stays for the restart.
   */
  async stop(signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<void> {
    const child = this.#process;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }
}

/** How fast a dead node is fenced: the same settings as the native cluster's (ops/stack/up.sh). */
const FAILURE_DETECTION = readFileSync(
  join(REPO_ROOT, "ops/stack/kafka/failure-detection.properties"),
  "utf8",
)
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));

export interface ThrowawayBrokerOptions {
  /** Combined broker+controller nodes (default 1). With 3 or more, internal topics get 3 replicas and min ISR 2. */
  readonly nodes?: number;
  readonly secure?: SecureBrokerOptions;
  /**
   * A second plain-text listener (named PROXIED) that advertises 127.0.0.1:advertisedPort, where a proxy
   * (KafkaWireProxy) forwards to the node's `proxiedPort`: clients bootstrapped from the proxy never
   * bypass it. The broker's own traffic (transaction markers) and `bootstrap` stay direct. One node only.
   */
  readonly proxiedListener?: { readonly advertisedPort: number };
  /** Feature levels to format the cluster with, e.g. { "transaction.version": 0 } for Transactions V1 only. */
  readonly features?: Readonly<Record<string, number>>;
}

export class ThrowawayBroker {
  readonly dir: string;
  readonly nodes: readonly BrokerNode[];

  private constructor(dir: string, nodes: readonly BrokerNode[]) {
    this.dir = dir;
    this.nodes = nodes;
  }

  /** The first node's client port. */
  get port(): number {
    return this.nodes[0]!.port;
  }

  /** The proxied listener's port of the (single) node: where its proxy forwards to. */
  get proxiedPort(): number {
    const port = this.nodes[0]!.proxiedPort;
    if (port === undefined) throw new Error("this broker has no proxiedListener");
    return port;
  }

  /** Every node's address: clients find the cluster from any of them. */
  get bootstrap(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(",");
  }

  /** The CA that signed a secure broker's certificate (clients trust it: KAFKA_SSL_CA_FILE). */
  get caFile(): string {
    return join(this.dir, "ca.pem");
  }

  /** Node by its node id (1..N), as Kafka's metadata names the partition leaders. */
  node(id: number): BrokerNode {
    const found = this.nodes.find((node) => node.id === id);
    if (!found) throw new Error(`no broker node ${id} (nodes ${this.nodes.map((n) => n.id).join(", ")})`);
    return found;
  }

  static async create(options: ThrowawayBrokerOptions = {}): Promise<ThrowawayBroker> {
    const count = options.nodes ?? 1;
    const proxied = options.proxiedListener;
    if (proxied && (count !== 1 || options.secure))
      throw new Error("proxiedListener is for a single plain-text node");
    const dir = mkdtempSync(join(tmpdir(), "ledgerline-broker-"));
    const nodes: BrokerNode[] = [];
    for (let id = 1; id <= count; id++) {
      const nodeDir = count === 1 ? dir : join(dir, `node-${id}`);
      mkdirSync(nodeDir, { recursive: true });
      nodes.push(
        new BrokerNode(
          id,
          await freePort(),
          await freePort(),
          nodeDir,
          proxied ? await freePort() : undefined,
        ),
      );
    }
    const broker = new ThrowawayBroker(dir, nodes);
    const secure = options.secure;
    if (secure) await makeCertificates(dir);
    const adminPassword = secure?.users.admin;
    if (secure && adminPassword === undefined) throw new Error("a secure broker needs an admin user");
    const listener = secure ? "SASL_SSL" : "PLAINTEXT";
    const voters = nodes.map((node) => `${node.id}@127.0.0.1:${node.controllerPort}`).join(",");
    // A production-like cluster: internal topics on 3 replicas, writes need 2 of them.
    const replicas = Math.min(count, 3);
    const minInsync = count >= 3 ? 2 : 1;
    const clusterId = newClusterId();
    await Promise.all(
      nodes.map(async (node) => {
        const properties = join(node.dir, "server.properties");
        writeFileSync(
          properties,
          [
            "process.roles=broker,controller",
            `node.id=${node.id}`,
            `controller.quorum.voters=${voters}`,
            `listeners=${listener}://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}${proxied ? `,PROXIED://127.0.0.1:${node.proxiedPort}` : ""}`,
            `advertised.listeners=${listener}://127.0.0.1:${node.port}${proxied ? `,PROXIED://127.0.0.1:${proxied.advertisedPort}` : ""}`,
            "controller.listener.names=CONTROLLER",
            `listener.security.protocol.map=CONTROLLER:PLAINTEXT,${listener}:${listener}${proxied ? ",PROXIED:PLAINTEXT" : ""}`,
            `inter.broker.listener.name=${listener}`,
            ...(secure
              ? [
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
            `log.dirs=${join(node.dir, "data")}`,
            "num.partitions=3",
            `offsets.topic.replication.factor=${replicas}`,
            `transaction.state.log.replication.factor=${replicas}`,
            `transaction.state.log.min.isr=${minInsync}`,
            `default.replication.factor=${replicas}`,
            `min.insync.replicas=${minInsync}`,
            ...FAILURE_DETECTION,
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            "group.share.enable=false",
            "num.network.threads=2",
            "num.io.threads=2",
          ].join("\n"),
        );
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
            properties,
            ...Object.entries({ "share.version": 0, ...options.features }).flatMap(([name, level]) => [
              "--feature",
              `${name}=${level}`,
            ]),
            // SCRAM credentials are written with the metadata at format time (KRaft).
            ...Object.entries(secure?.users ?? {}).flatMap(([name, password]) => [
              "--add-scram",
              `SCRAM-SHA-512=[name=${name},password=${password}]`,
            ]),
          ],
          { timeout: 60_000 },
        );
      }),
    );
    await broker.start();
    return broker;
  }

  /** Starts every node that is not running (a quorum needs a majority of them up). */
  async start(timeoutMs = 60_000): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.start(timeoutMs)));
  }

  /** Kills every node (SIGKILL: an abrupt outage). Data on disk stays for the restart. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  /** stop() then start(): a crash-like restart on the same data and ports. */
  async restart(timeoutMs?: number): Promise<void> {
    await this.stop();
    await this.start(timeoutMs);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
