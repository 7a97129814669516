// The catalogue as data for the Helm chart's Strimzi resources (deploy/helm/ledgerline): one KafkaTopic per
// topic, one KafkaUser per principal with exactly the ACLs of acls.ts. The chart's templates read the file
// `topology strimzi --write` writes, so a catalogue change that is not regenerated fails the chart's test.
// Pure: the CLI writes the text.

import { type Names, replicationFor, type TopicId, type TopicSpec, topics } from "@ledgerline/catalogue";
import { type AclSpec, aclsFor, PRINCIPAL_ROLES, type PrincipalRole } from "./acls.ts";

/** Where the chart keeps the generated file, from the repository root. */
export const STRIMZI_FILE = "deploy/helm/ledgerline/files/strimzi.json";

/** An ACL rule as a Strimzi KafkaUser (`spec.authorization.acls[]`, kafka.strimzi.io/v1) spells it. */
export interface StrimziAcl {
  readonly resource: {
    readonly type: "topic" | "group" | "transactionalId";
    readonly name: string;
    readonly patternType: "literal" | "prefix";
  };
  readonly operations: readonly string[];
  readonly host: "*";
}

export interface StrimziTopic {
  /** The KafkaTopic's metadata.name: Kubernetes names allow no dots or underscores. */
  readonly resourceName: string;
  readonly topicName: string;
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
}

export interface StrimziUser {
  readonly role: PrincipalRole | "setup";
  readonly acls: readonly StrimziAcl[];
}

export interface StrimziFile {
  readonly generated: string;
  /** Replication by broker count; the chart picks the entry of min(brokers, the last key). */
  readonly replication: Readonly<Record<string, { replicationFactor: number; minInsyncReplicas: number }>>;
  readonly topics: readonly StrimziTopic[];
  readonly users: readonly StrimziUser[];
}

const resourceTypes = { TOPIC: "topic", GROUP: "group", TRANSACTIONAL_ID: "transactionalId" } as const;
const operationNames = { READ: "Read", WRITE: "Write", DESCRIBE: "Describe" } as const;

export const strimziAcl = (acl: AclSpec): StrimziAcl => ({
  resource: {
    type: resourceTypes[acl.resource],
    name: acl.name,
    patternType: acl.pattern === "PREFIXED" ? "prefix" : "literal",
  },
  operations: [operationNames[acl.operation]],
  host: "*",
});

/**
 * The set-up Jobs' principal (topology apply, the FX seed): on Strimzi the Topic Operator creates the
 * topics, but apply still describes them (drift) and creates one the operator has not yet; the seed writes
 * fx.rates and reads it to see whether it is empty. No stage runs as it.
 */
const setupAcls = (n: Names, specs: Record<TopicId, TopicSpec>): StrimziAcl[] => [
  ...(Object.keys(specs) as TopicId[]).map(
    (id): StrimziAcl => ({
      resource: { type: "topic", name: n.topic(id), patternType: "literal" },
      operations: ["Create", "Describe", "DescribeConfigs"],
      host: "*",
    }),
  ),
  {
    resource: { type: "topic", name: n.topic("fxRates"), patternType: "literal" },
    operations: ["Read", "Write"],
    host: "*",
  },
  {
    resource: { type: "group", name: `${n.topic("fxRates")}.reader.`, patternType: "prefix" },
    operations: ["Read"],
    host: "*",
  },
];

/** Kafka topic names allow dots; Kubernetes object names do not allow upper case or underscores. */
export const resourceNameOf = (topicName: string) => topicName.toLowerCase().replace(/[^a-z0-9.-]/g, "-");

export const strimziFile = (n: Names, specs: Record<TopicId, TopicSpec> = topics): StrimziFile => ({
  generated: "by `npm run topology -- strimzi --write` from the topology catalogue: do not edit",
  replication: Object.fromEntries([1, 2, 3].map((brokers) => [String(brokers), replicationFor(brokers)])),
  topics: (Object.keys(specs) as TopicId[]).map((id) => ({
    resourceName: resourceNameOf(n.topic(id)),
    topicName: n.topic(id),
    partitions: specs[id].partitions,
    config: specs[id].config,
  })),
  users: [
    ...PRINCIPAL_ROLES.map((role) => ({ role, acls: aclsFor(role, n).map(strimziAcl) })),
    { role: "setup" as const, acls: setupAcls(n, specs) },
  ],
});

export const strimziText = (n: Names, specs: Record<TopicId, TopicSpec> = topics): string =>
  `${JSON.stringify(strimziFile(n, specs), null, 2)}\n`;
