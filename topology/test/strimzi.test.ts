import { names, replicationFor, type TopicId, type TopicSpec, topics } from "@ledgerline/catalogue";
import { describe, expect, it } from "vitest";
import { aclsFor, PRINCIPAL_ROLES } from "../src/acls.ts";
import { resourceNameOf, strimziFile, strimziText } from "../src/strimzi.ts";

describe("topology strimzi", () => {
  const file = strimziFile(names());

  it("has one topic per catalogue topic, with its partitions and settings", () => {
    expect(file.topics.map((t) => t.topicName)).toEqual(Object.values(topics).map((t) => t.name));
    for (const [id, spec] of Object.entries(topics)) {
      const topic = file.topics.find((t) => t.topicName === names().topic(id as TopicId))!;
      expect(topic.partitions).toBe(spec.partitions);
      expect(topic.config).toEqual(spec.config);
    }
  });

  it("gives the chart replicationFor each broker count", () => {
    for (const brokers of [1, 2, 3])
      expect(file.replication[String(brokers)]).toEqual(replicationFor(brokers));
  });

  it("gives each principal exactly its acls, one operation per rule", () => {
    for (const role of PRINCIPAL_ROLES) {
      const user = file.users.find((u) => u.role === role)!;
      const expected = aclsFor(role, names());
      expect(user.acls).toHaveLength(expected.length);
      expected.forEach((acl, i) => {
        expect(user.acls[i]?.resource.name).toBe(acl.name);
        expect(user.acls[i]?.operations).toEqual([acl.operation[0] + acl.operation.slice(1).toLowerCase()]);
        expect(user.acls[i]?.resource.patternType).toBe(acl.pattern === "PREFIXED" ? "prefix" : "literal");
      });
    }
  });

  it("changes when the catalogue changes: a file not regenerated no longer matches", () => {
    const changed = {
      ...topics,
      requested: { ...topics.requested, partitions: 12 },
    } as Record<TopicId, TopicSpec>;
    expect(strimziText(names(), changed)).not.toBe(strimziText(names()));
  });

  it("names KafkaTopics as Kubernetes allows", () => {
    expect(resourceNameOf("ns_1.transactions.requested")).toBe("ns-1.transactions.requested");
    for (const topic of file.topics) expect(topic.resourceName).toMatch(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/);
  });
});
