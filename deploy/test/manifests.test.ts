// What the rendered chart promises, per values profile: instance ids, the catalogue's topics and ACLs,
// pods locked down, resources on every container, no plain text in production. helm template only.
import { readFileSync } from "node:fs";
import { names, replicationFor, type TopicId, topics } from "@ledgerline/catalogue";
import { type AclSpec, aclsFor, PRINCIPAL_ROLES } from "@ledgerline/topology";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHART, type Manifest, PROFILES, type Profile, render } from "./render.ts";

const rendered = new Map<Profile, Manifest[]>(PROFILES.map((profile) => [profile, render(profile)]));
const of = (profile: Profile, kind: string) => rendered.get(profile)!.filter((m) => m.kind === kind);
const one = (profile: Profile, kind: string) => {
  const [manifest] = of(profile, kind);
  if (!manifest) throw new Error(`${profile}: no ${kind}`);
  return manifest;
};
const WORKLOADS = ["Deployment", "StatefulSet", "Job"];
const podSpecs = (profile: Profile) =>
  rendered
    .get(profile)!
    .filter((m) => WORKLOADS.includes(m.kind))
    .map((m) => ({ name: `${m.kind}/${m.metadata.name}`, spec: m.spec.template.spec }));
const brokersOf = (profile: Profile) => one(profile, "KafkaNodePool").spec.replicas as number;
const envOf = (container: { env?: { name: string; value?: string; valueFrom?: unknown }[] }, name: string) =>
  container.env?.find((e) => e.name === name);

describe.each(PROFILES)("the chart, profile %s", (profile) => {
  it("gives each processor and sink its StatefulSet ordinal as a stable, unique instance id", () => {
    const sets = of(profile, "StatefulSet");
    expect(sets.map((s) => s.metadata.name).sort()).toEqual([
      "ledgerline-ledger-sink",
      "ledgerline-processor",
    ]);
    for (const set of sets) {
      const [container] = set.spec.template.spec.containers;
      const variable = set.metadata.name.endsWith("processor")
        ? "PROCESSOR_INSTANCE_ID"
        : "LEDGER_SINK_INSTANCE_ID";
      // Resolve the variable as the kubelet does for pod <set>-<ordinal>, whose pod-index label the
      // StatefulSet controller sets to the ordinal (Kubernetes 1.28+): same pod name, same id, every restart.
      const source = envOf(container, variable)?.valueFrom as
        | { fieldRef?: { fieldPath?: string } }
        | undefined;
      const label = /^metadata\.labels\['(.+)'\]$/.exec(source?.fieldRef?.fieldPath ?? "")?.[1];
      expect(label, `${set.metadata.name} ${variable}`).toBe("apps.kubernetes.io/pod-index");
      const pods = Array.from({ length: set.spec.replicas as number }, (_, ordinal) => ({
        name: `${set.metadata.name}-${ordinal}`,
        labels: { ...set.spec.template.metadata.labels, [label!]: String(ordinal) } as Record<string, string>,
      }));
      const ids = pods.map((pod) => pod.labels[label!]);
      expect(ids).toEqual(pods.map((pod) => pod.name.slice(set.metadata.name.length + 1)));
      expect(new Set(ids).size).toBe(set.spec.replicas);
      expect(set.spec.serviceName).toBe(set.metadata.name);
    }
    // The relay runs alone with a fixed id that no sink ordinal can take.
    const relay = of(profile, "Deployment").find((d) => d.metadata.name.endsWith("outbox-relay"));
    if (relay) {
      expect(relay.spec.replicas).toBe(1);
      expect(relay.spec.strategy).toEqual({ type: "Recreate" });
      expect(envOf(relay.spec.template.spec.containers[0], "LEDGER_SINK_INSTANCE_ID")?.value).toMatch(
        /^relay-/,
      );
    }
  });

  it("has the catalogue's topics, partitions, replication and min.insync.replicas", () => {
    const replication = replicationFor(brokersOf(profile));
    const kafkaTopics = of(profile, "KafkaTopic");
    expect(kafkaTopics.map((t) => t.spec.topicName).sort()).toEqual(
      (Object.keys(topics) as TopicId[]).map((id) => names().topic(id)).sort(),
    );
    for (const id of Object.keys(topics) as TopicId[]) {
      const topic = kafkaTopics.find((t) => t.spec.topicName === names().topic(id))!;
      expect(topic.spec.partitions).toBe(topics[id].partitions);
      expect(topic.spec.replicas).toBe(replication.replicationFactor);
      expect(topic.spec.config).toEqual({
        ...topics[id].config,
        "min.insync.replicas": String(replication.minInsyncReplicas),
      });
    }
    const config = one(profile, "Kafka").spec.kafka.config;
    expect(config["transaction.state.log.replication.factor"]).toBe(replication.replicationFactor);
    expect(config["transaction.state.log.min.isr"]).toBe(replication.minInsyncReplicas);
  });

  it("runs every pod as non-root on a read-only root file system, with resources on every container", () => {
    const pods = podSpecs(profile);
    expect(pods.length).toBeGreaterThan(0);
    for (const { name, spec } of pods) {
      expect(spec.securityContext?.runAsNonRoot, name).toBe(true);
      expect(spec.securityContext?.seccompProfile?.type, name).toBe("RuntimeDefault");
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        const context = container.securityContext ?? {};
        expect(context.readOnlyRootFilesystem, name).toBe(true);
        expect(context.allowPrivilegeEscalation, name).toBe(false);
        expect(context.runAsNonRoot, name).toBe(true);
        expect(context.capabilities?.drop, name).toContain("ALL");
        for (const kind of ["requests", "limits"])
          for (const resource of ["cpu", "memory"])
            expect(container.resources?.[kind]?.[resource], `${name} ${kind}.${resource}`).toBeDefined();
      }
    }
  });

  it("probes each stage on /livez and /ready, and monitors each", () => {
    for (const { name, spec } of podSpecs(profile).filter((p) => !p.name.startsWith("Job/"))) {
      if (name.endsWith("registry")) continue;
      const [container] = spec.containers;
      expect(container.livenessProbe?.httpGet?.path, name).toBe("/livez");
      expect(container.readinessProbe?.httpGet?.path, name).toBe("/ready");
    }
    expect(of(profile, "ServiceMonitor").length).toBeGreaterThanOrEqual(3);
    const rules = one(profile, "PrometheusRule").spec;
    expect(rules).toEqual(parse(readFileSync(`${CHART}/files/alerts.yml`, "utf8")));
  });

  it("runs the set-up Jobs as hooks in order: topology apply, migrations, FX seed", () => {
    const jobs = of(profile, "Job")
      .map((job) => ({
        weight: Number(job.metadata.annotations["helm.sh/hook-weight"]),
        hook: job.metadata.annotations["helm.sh/hook"],
        command: job.spec.template.spec.containers[0].command.join(" "),
      }))
      .sort((a, b) => a.weight - b.weight);
    expect(jobs.map((job) => job.command)).toEqual([
      "node topology/src/cli.ts apply",
      "node packages/ledger-db/src/migrate.ts",
      "node apps/processor/src/publishFxRates.ts --if-empty",
    ]);
    for (const job of jobs) expect(job.hook).toBe("post-install,pre-upgrade");
  });
});

/** An ACL as a comparable string, from `topology acls`' spec or from a rendered KafkaUser rule. */
const fromSpec = (acl: AclSpec) =>
  `${acl.resource}:${acl.pattern}:${acl.name}:${acl.operation}`.replace(
    "TRANSACTIONAL_ID",
    "TRANSACTIONALID",
  );
const fromRule = (rule: {
  resource: { type: string; name: string; patternType: string };
  operations: string[];
}) =>
  rule.operations.map((operation) =>
    [
      rule.resource.type.toUpperCase(),
      rule.resource.patternType === "prefix" ? "PREFIXED" : "LITERAL",
      rule.resource.name,
      operation.toUpperCase(),
    ].join(":"),
  );

describe("the production profile", () => {
  it("has no plain-text listener: SCRAM-SHA-512 over TLS, authorization simple", () => {
    const kafka = one("production", "Kafka").spec.kafka;
    for (const listener of kafka.listeners) {
      expect(listener.tls, listener.name).toBe(true);
      expect(listener.authentication?.type, listener.name).toBe("scram-sha-512");
    }
    expect(kafka.authorization).toEqual({ type: "simple" });
    const clients = podSpecs("production").filter((p) =>
      envOf(p.spec.containers[0], "KAFKA_BOOTSTRAP_SERVERS"),
    );
    expect(clients.length).toBeGreaterThanOrEqual(6);
    for (const { name, spec } of clients)
      expect(envOf(spec.containers[0], "KAFKA_SECURITY_PROTOCOL")?.value, name).toBe("SASL_SSL");
  });

  it("gives each principal's KafkaUser exactly the ACLs `topology acls` derives", () => {
    const users = of("production", "KafkaUser");
    for (const role of PRINCIPAL_ROLES) {
      const user = users.find((u) => u.metadata.labels["ledgerline.io/principal"] === role)!;
      expect(user.spec.authentication).toEqual({ type: "scram-sha-512" });
      expect(user.spec.authorization.acls.flatMap(fromRule).sort()).toEqual(
        aclsFor(role, names()).map(fromSpec).sort(),
      );
    }
  });

  it("runs 3 brokers, 3 Postgres instances, 3 processors and 2 sinks, the registry behind auth", () => {
    expect(brokersOf("production")).toBe(3);
    expect(one("production", "Cluster").spec.instances).toBe(3);
    const replicas = Object.fromEntries(
      of("production", "StatefulSet").map((s) => [s.metadata.name, s.spec.replicas]),
    );
    expect(replicas).toEqual({ "ledgerline-processor": 3, "ledgerline-ledger-sink": 2 });
    const registry = of("production", "Deployment").find((d) => d.metadata.name.endsWith("registry"))!;
    expect(envOf(registry.spec.template.spec.containers[0], "QUARKUS_OIDC_TENANT_ENABLED")?.value).toBe(
      "true",
    );
  });

  it("keeps secrets out of values: the rendered env takes every password from a Secret", () => {
    for (const { name, spec } of podSpecs("production"))
      for (const variable of spec.containers[0].env ?? [])
        if (/PASSWORD|SECRET|API_KEYS/.test(variable.name))
          expect(variable.valueFrom?.secretKeyRef, `${name} ${variable.name}`).toBeDefined();
  });
});
