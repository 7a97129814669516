// `topology apply`: create missing topics, report config drift, register schemas. Idempotent.
import { type Names, type Replication, replicationFor, type TopicId, topics } from "@ledgerline/catalogue";
import type { Admin } from "@platformatic/kafka";
import { ConfigResourceTypes } from "@platformatic/kafka";
import { loadValidHistory, loadValidSchema } from "./avroSchemas.ts";
import type { RegistryAdmin } from "./registryApi.ts";

export interface ApplyReport {
  /** Brokers in the cluster, and the replication the topics get on it. */
  readonly brokers: number;
  readonly replication: Replication;
  readonly createdTopics: string[];
  readonly existingTopics: string[];
  /** Differences between the catalogue and the live topic; reported, never silently changed. */
  readonly drift: string[];
  readonly registered: { subject: string; id: number }[];
  readonly unchangedSubjects: { subject: string; id: number }[];
}

export interface ApplyOptions {
  readonly admin: Admin;
  readonly registry: RegistryAdmin;
  readonly names: Names;
  readonly only?: readonly TopicId[];
  /** Told before each broker or registry call, so a caller can say where a slow apply is waiting. */
  readonly onStep?: (step: string) => void;
}

export const applyTopology = async ({
  admin,
  registry,
  names,
  only,
  onStep = () => undefined,
}: ApplyOptions): Promise<ApplyReport> => {
  const ids = only ?? (Object.keys(topics) as TopicId[]);
  onStep("describe the cluster");
  const brokers = (await admin.metadata({ topics: [] })).brokers.size;
  const replication = replicationFor(brokers);
  const settings = (id: TopicId): Record<string, string> => ({
    ...topics[id].config,
    "min.insync.replicas": String(replication.minInsyncReplicas),
  });
  const report: ApplyReport = {
    brokers,
    replication,
    createdTopics: [],
    existingTopics: [],
    drift: [],
    registered: [],
    unchangedSubjects: [],
  };
  // Load every schema first: a malformed .avsc fails before anything is created.
  const schemas = new Map(ids.map((id) => [id, loadValidSchema(id)]));

  onStep("list topics");
  const existing = new Set(await admin.listTopics());
  const missing = ids.filter((id) => !existing.has(names.topic(id)));
  for (const id of missing) {
    const spec = topics[id];
    onStep(`create topic ${names.topic(id)}`);
    await admin.createTopics({
      topics: [names.topic(id)],
      partitions: spec.partitions,
      replicas: replication.replicationFactor,
      configs: Object.entries(settings(id)).map(([name, value]) => ({ name, value })),
    });
    report.createdTopics.push(names.topic(id));
  }

  const present = ids.filter((id) => existing.has(names.topic(id)));
  if (present.length > 0) {
    report.existingTopics.push(...present.map((id) => names.topic(id)));
    onStep("describe existing topics");
    const metadata = await admin.metadata({ topics: present.map((id) => names.topic(id)) });
    const described = await admin.describeConfigs({
      resources: present.map((id) => ({
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: names.topic(id),
        configurationKeys: Object.keys(settings(id)),
      })),
    });
    for (const id of present) {
      const name = names.topic(id);
      const spec = topics[id];
      const topic = metadata.topics.get(name);
      const partitions = topic?.partitionsCount;
      if (partitions !== undefined && partitions !== spec.partitions) {
        report.drift.push(`${name}: partitions ${partitions}, catalogue says ${spec.partitions}`);
      }
      const factor = replicationFactorOf(topic?.partitions ?? []);
      if (factor !== undefined && factor < replication.replicationFactor)
        report.drift.push(underReplicated(name, factor, brokers));
      const live = described.find((entry) => entry.resourceName === name)?.configs ?? [];
      for (const [key, expected] of Object.entries(settings(id))) {
        const actual = live.find((config) => config.name === key)?.value;
        if (actual !== expected)
          report.drift.push(`${name}: ${key}=${actual ?? "(unset)"}, catalogue says ${expected}`);
      }
    }
  }

  for (const id of ids) {
    const subject = names.valueSubject(id);
    const level = topics[id].value.compatibility;
    onStep(`register ${subject}`);
    if ((await registry.getCompatibility(subject)) !== level) await registry.setCompatibility(subject, level);
    // A subject's earlier versions first, oldest first: a new registry numbers them as an old one does.
    // One registered already is not registered again; neither is the history once the subject has any
    // later version (a registry that already holds the current file).
    const current = schemas.get(id)!;
    const currentFound = await registry.findSchema(subject, JSON.stringify(JSON.parse(current.text)));
    const versions = currentFound ? [] : loadValidHistory(id);
    for (const { text, file } of [...versions, current]) {
      const schema = JSON.stringify(JSON.parse(text));
      const found = file === current.file ? currentFound : await registry.findSchema(subject, schema);
      if (found) {
        if (file === current.file) report.unchangedSubjects.push({ subject, id: found.id });
        continue;
      }
      const { compatible, messages } = await registry.isCompatible(subject, schema);
      if (!compatible) {
        throw new Error(
          `${file} is not ${level}-compatible with ${subject}'s latest version: ${messages.join("; ")}`,
        );
      }
      const { id: schemaId } = await registry.register(subject, schema);
      report.registered.push({ subject, id: schemaId });
    }
  }
  return report;
};

/** The topic's replication factor: its least-replicated partition's replica count. */
export const replicationFactorOf = (partitions: readonly { readonly replicas: readonly number[] }[]) =>
  partitions.length === 0 ? undefined : Math.min(...partitions.map((partition) => partition.replicas.length));

export const underReplicated = (topic: string, factor: number, brokers: number) =>
  `${topic}: replication factor ${factor}, a cluster of ${brokers} brokers gives it ${replicationFor(brokers).replicationFactor} (add replicas with kafka-reassign-partitions; apply never moves data)`;
