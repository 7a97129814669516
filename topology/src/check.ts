// `topology check`: fail when a schema in the working tree is not compatible with the latest registered one,
// or when a topic is replicated less than its cluster allows.

import { type Names, type Replication, replicationFor, type TopicId, topics } from "@ledgerline/catalogue";
import { type Admin, ConfigResourceTypes } from "@platformatic/kafka";
import { replicationFactorOf, underReplicated } from "./apply.ts";
import { loadValidSchema } from "./avroSchemas.ts";
import type { RegistryAdmin } from "./registryApi.ts";

export interface CheckResult {
  readonly subject: string;
  readonly file: string;
  readonly status: "compatible" | "incompatible" | "unregistered" | "identical";
  readonly messages: string[];
}

export const checkTopology = async (
  registry: RegistryAdmin,
  names: Names,
  options: { directory?: string; only?: readonly TopicId[] } = {},
): Promise<CheckResult[]> => {
  const results: CheckResult[] = [];
  for (const id of options.only ?? (Object.keys(topics) as TopicId[])) {
    const { text, file } = loadValidSchema(id, options.directory);
    const subject = names.valueSubject(id);
    const schema = JSON.stringify(JSON.parse(text));
    const latest = await registry.latestVersion(subject);
    if (!latest) {
      results.push({ subject, file, status: "unregistered", messages: [] });
    } else if (await registry.findSchema(subject, schema)) {
      results.push({ subject, file, status: "identical", messages: [] });
    } else {
      const { compatible, messages } = await registry.isCompatible(subject, schema);
      results.push({ subject, file, status: compatible ? "compatible" : "incompatible", messages });
    }
  }
  return results;
};

export interface ReplicationCheck {
  readonly brokers: number;
  readonly replication: Replication;
  /** One line per topic replicated below what the cluster allows (factor or min.insync.replicas). */
  readonly findings: string[];
}

/** Each existing catalogued topic against replicationFor(the cluster's broker count). */
export const checkReplication = async (
  admin: Admin,
  names: Names,
  options: { only?: readonly TopicId[] } = {},
): Promise<ReplicationCheck> => {
  const brokers = (await admin.metadata({ topics: [] })).brokers.size;
  const replication = replicationFor(brokers);
  const existing = new Set(await admin.listTopics());
  const present = (options.only ?? (Object.keys(topics) as TopicId[]))
    .map((id) => names.topic(id))
    .filter((name) => existing.has(name));
  const findings: string[] = [];
  if (present.length === 0) return { brokers, replication, findings };
  const metadata = await admin.metadata({ topics: present });
  const described = await admin.describeConfigs({
    resources: present.map((name) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName: name,
      configurationKeys: ["min.insync.replicas"],
    })),
  });
  for (const name of present) {
    const factor = replicationFactorOf(metadata.topics.get(name)?.partitions ?? []);
    if (factor !== undefined && factor < replication.replicationFactor)
      findings.push(underReplicated(name, factor, brokers));
    const minInsync = Number(
      described
        .find((entry) => entry.resourceName === name)
        ?.configs.find((c) => c.name === "min.insync.replicas")?.value ?? 1,
    );
    if (minInsync < replication.minInsyncReplicas)
      findings.push(
        `${name}: min.insync.replicas=${minInsync}, a cluster of ${brokers} brokers gives it ${replication.minInsyncReplicas} (topology apply reports it as drift; kafka-configs --alter sets it)`,
      );
  }
  return { brokers, replication, findings };
};
