import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../../..");
// Compose files use YAML merge keys (<<: *anchor), which YAML 1.2 parsers resolve only when asked.
const compose = parse(readFileSync(resolve(root, "ops/compose/compose.yaml"), "utf8"), { merge: true }) as {
  services: Record<
    string,
    {
      // Numbers stay numbers (KAFKA_NODE_ID: 1): read them with String().
      environment?: Record<string, string>;
      image?: string;
      build?: unknown;
      restart?: string;
      healthcheck?: { test: string[] };
      profiles?: string[];
      ports?: string[];
      depends_on?: Record<string, unknown>;
      deploy?: { replicas?: number };
    }
  >;
};
const envExample = new Set(
  readFileSync(resolve(root, ".env.example"), "utf8")
    .split("\n")
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined),
);
const apps = ["gateway", "processor", "ledger-sink", "setup"];
// Profile "cluster": a 3-node Kafka cluster and a pipeline of its own on it.
const kafkaNodes = ["kafka-1", "kafka-2", "kafka-3"];
const processors = ["processor-0", "processor-1", "processor-2"];
const sinks = ["ledger-sink-0", "ledger-sink-1"];
const clusterApps = ["setup-cluster", "gateway-cluster", ...processors, ...sinks];
const env = (service: string) => compose.services[service]?.environment ?? {};
// "127.0.0.1:9192:29092" -> 9192
const hostPorts = (service: string) =>
  (compose.services[service]?.ports ?? []).map((p) => Number(String(p).split(":").at(-2)));

describe("ops/compose/compose.yaml", () => {
  it("runs Kafka, Apicurio and Postgres from official images and builds the apps", () => {
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services.registry?.image).toMatch(/^apicurio\/apicurio-registry:3\.3\./);
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    for (const app of apps) expect(compose.services[app]?.build, app).toBeDefined();
  });

  it("configures the apps with the native stack's environment variable names", () => {
    for (const app of [...apps, ...clusterApps]) {
      const names = Object.keys(compose.services[app]?.environment ?? {});
      expect(names.length, app).toBeGreaterThan(0);
      for (const name of names) expect(envExample, `${app}: ${name} is not in .env.example`).toContain(name);
    }
    for (const core of ["KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL", "DATABASE_URL"]) {
      expect(Object.keys(compose.services.gateway?.environment ?? {})).toContain(core);
    }
  });

  it("runs no app as the Postgres superuser: each logs in as its own runtime role", () => {
    const superuser = compose.services.postgres?.environment?.POSTGRES_USER;
    const userOf = (url: string | undefined) => (url ? new URL(url).username : undefined);
    expect(userOf(compose.services.gateway?.environment?.GATEWAY_DATABASE_URL)).toBe("ledgerline_gateway");
    expect(userOf(compose.services["ledger-sink"]?.environment?.LEDGER_SINK_DATABASE_URL)).toBe(
      "ledgerline_sink",
    );
    for (const app of [...apps, ...clusterApps]) {
      for (const [name, value] of Object.entries(compose.services[app]?.environment ?? {}))
        if (name.endsWith("DATABASE_URL")) expect(userOf(value), `${app} ${name}`).not.toBe(superuser);
    }
  });

  it("restarts every stage that exits, and checks its readiness", () => {
    for (const app of ["gateway", "processor", "ledger-sink", "gateway-cluster", ...processors, ...sinks]) {
      expect(compose.services[app]?.restart, app).toBe("unless-stopped");
      expect(compose.services[app]?.healthcheck?.test.join(" "), app).toContain("/ready");
    }
  });

  describe("profile cluster", () => {
    const cluster = [...kafkaNodes, ...clusterApps];

    it("leaves the default services as they were and puts only the cluster's in the profile", () => {
      const always = Object.keys(compose.services).filter((name) => !compose.services[name]?.profiles);
      expect(always.sort()).toEqual(
        [
          "postgres",
          "kafka",
          "registry",
          "setup",
          "gateway",
          "processor",
          "ledger-sink",
          "prometheus",
          "grafana",
        ].sort(),
      );
      expect(
        Object.keys(compose.services)
          .filter((name) => !always.includes(name))
          .sort(),
      ).toEqual(cluster.sort());
      for (const name of cluster) expect(compose.services[name]?.profiles, name).toEqual(["cluster"]);
      // The default pipeline still runs on the single node, the cluster's never does.
      expect(env("gateway").KAFKA_BOOTSTRAP_SERVERS).toBe("kafka:9092");
      for (const app of clusterApps) {
        expect(Object.keys(compose.services[app]?.depends_on ?? {}), app).not.toContain("kafka");
        expect(Object.keys(compose.services[app]?.depends_on ?? {}), app).not.toContain("setup");
      }
    });

    it("runs three combined nodes that are one 3-voter quorum with one cluster id", () => {
      const voters = new Set(kafkaNodes.map((node) => env(node).KAFKA_CONTROLLER_QUORUM_VOTERS));
      expect(voters.size).toBe(1);
      const parsed = [...voters][0]?.split(",").map((voter) => {
        const [, id, host, port] = /^(\d+)@([\w-]+):(\d+)$/.exec(voter) ?? [];
        return { id: Number(id), host, port: Number(port) };
      });
      expect(parsed?.map((v) => v.id)).toEqual([1, 2, 3]);
      expect(new Set(kafkaNodes.map((node) => env(node).CLUSTER_ID)).size).toBe(1);
      expect(env("kafka-1").CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
      for (const node of kafkaNodes) {
        const e = env(node);
        const id = Number(e.KAFKA_NODE_ID);
        expect(compose.services[node]?.image, node).toBe(compose.services.kafka?.image);
        expect(e.KAFKA_PROCESS_ROLES, node).toBe("broker,controller");
        // Its voter entry names this service and its own controller listener.
        const controllerPort = Number(/CONTROLLER:\/\/:(\d+)/.exec(e.KAFKA_LISTENERS ?? "")?.[1]);
        expect(
          parsed?.find((v) => v.id === id),
          node,
        ).toEqual({ id, host: node, port: controllerPort });
        // Advertised: its own name on the network, and the host port compose publishes.
        expect(e.KAFKA_ADVERTISED_LISTENERS, node).toContain(`PLAINTEXT://${node}:9092`);
        const advertisedHostPort = Number(
          /HOST:\/\/127\.0\.0\.1:(\d+)/.exec(e.KAFKA_ADVERTISED_LISTENERS ?? "")?.[1],
        );
        expect(hostPorts(node), node).toEqual([advertisedHostPort]);
        expect(compose.services[node]?.healthcheck?.test.join(" "), node).toContain(
          "kafka-broker-api-versions",
        );
      }
      expect(kafkaNodes.map((node) => Number(env(node).KAFKA_NODE_ID))).toEqual([1, 2, 3]);
    });

    it("replicates internal and new topics 3 times and needs 2 in sync", () => {
      for (const node of kafkaNodes) {
        const e = env(node);
        for (const name of [
          "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
          "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
          "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
          "KAFKA_DEFAULT_REPLICATION_FACTOR",
        ])
          expect(String(e[name]), `${node} ${name}`).toBe("3");
        for (const name of [
          "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
          "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR",
          "KAFKA_MIN_INSYNC_REPLICAS",
        ])
          expect(String(e[name]), `${node} ${name}`).toBe("2");
      }
    });

    it("publishes every host port once", () => {
      const all = Object.keys(compose.services).flatMap((name) =>
        hostPorts(name).map((port) => ({ name, port })),
      );
      expect(all.length).toBeGreaterThan(kafkaNodes.length);
      for (const { name, port } of all) {
        expect(Number.isInteger(port), `${name} ${port}`).toBe(true);
        expect(
          all.filter((other) => other.port === port).map((other) => other.name),
          `port ${port}`,
        ).toEqual([name]);
      }
    });

    it("gives every stage instance its own stable id (no deploy.replicas) and lists each for the gateway", () => {
      for (const name of Object.keys(compose.services))
        expect(compose.services[name]?.deploy?.replicas, name).toBeUndefined();
      const ids = (services: string[], variable: string) =>
        services.map((name) => String(env(name)[variable]));
      expect(ids(processors, "PROCESSOR_INSTANCE_ID")).toEqual(["0", "1", "2"]);
      expect(ids(sinks, "LEDGER_SINK_INSTANCE_ID")).toEqual(["0", "1"]);
      const endpoints = (env("gateway-cluster").GATEWAY_STAGE_ENDPOINTS ?? "").split(",").sort();
      expect(endpoints).toEqual(
        [
          ...processors.map((name) => `processor=http://${name}:${env(name).PROCESSOR_METRICS_PORT}`),
          ...sinks.map((name) => `ledger-sink=http://${name}:${env(name).LEDGER_SINK_METRICS_PORT}`),
        ].sort(),
      );
      // `up gateway-cluster` brings up every instance.
      for (const name of [...processors, ...sinks])
        expect(Object.keys(compose.services["gateway-cluster"]?.depends_on ?? {})).toContain(name);
    });

    it("points the cluster's apps at every node and at a ledger database of their own", () => {
      const bootstrap = kafkaNodes.map((node) => `${node}:9092`).join(",");
      const database = (url: string | undefined) => (url ? new URL(url).pathname : undefined);
      for (const app of clusterApps) {
        const e = env(app);
        expect(e.KAFKA_BOOTSTRAP_SERVERS, app).toBe(bootstrap);
        expect(database(e.DATABASE_URL), app).toBe("/ledgerline_cluster");
        for (const [name, value] of Object.entries(e))
          if (name.endsWith("DATABASE_URL"))
            expect(database(value), `${app} ${name}`).toBe("/ledgerline_cluster");
      }
      expect(readFileSync(resolve(root, "ops/compose/postgres-init.sql"), "utf8")).toMatch(
        /CREATE DATABASE ledgerline_cluster OWNER ledgerline;/,
      );
    });
  });
});
