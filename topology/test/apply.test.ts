import { topics } from "@ledgerline/catalogue";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTopology } from "../src/apply.ts";
import { environmentFrom } from "../src/Config.ts";
import { connectAdmin, connectRegistry } from "../src/connect.ts";
import { type ProvisionedNamespace, provisionNamespace } from "../src/provision.ts";

describe("topology apply", () => {
  let ns: ProvisionedNamespace;
  beforeAll(async () => {
    ns = await provisionNamespace("apply");
  });
  afterAll(() => ns?.cleanup());

  it("creates every catalogued topic with its partitions and config", async () => {
    const admin = await connectAdmin(environmentFrom());
    try {
      const metadata = await admin.metadata({
        topics: Object.keys(topics).map((id) => ns.names.topic(id as keyof typeof topics)),
      });
      for (const [id, spec] of Object.entries(topics)) {
        expect(metadata.topics.get(ns.names.topic(id as keyof typeof topics))?.partitionsCount).toBe(
          spec.partitions,
        );
      }
    } finally {
      await admin.close();
    }
  });

  it("is a no-op the second time", async () => {
    const env = { ...environmentFrom(), namespace: ns.namespace };
    const admin = await connectAdmin(env);
    try {
      const report = await applyTopology({ admin, registry: await connectRegistry(env), names: ns.names });
      expect(report.createdTopics).toEqual([]);
      expect(report.registered).toEqual([]);
      expect(report.drift).toEqual([]);
      expect(report.unchangedSubjects).toHaveLength(Object.keys(topics).length);
    } finally {
      await admin.close();
    }
  });

  it("sets each subject's compatibility level explicitly", async () => {
    const registry = await connectRegistry({ ...environmentFrom(), namespace: ns.namespace });
    for (const [id, spec] of Object.entries(topics)) {
      expect(await registry.getCompatibility(ns.names.valueSubject(id as keyof typeof topics))).toBe(
        spec.value.compatibility,
      );
    }
  });

  it("fails within 10 seconds naming the address when the broker is down", async () => {
    const started = Date.now();
    await expect(
      connectAdmin({
        bootstrapServers: "127.0.0.1:1",
        registryUrl: Redacted.make("http://127.0.0.1:1"),
        namespace: "",
      }),
    ).rejects.toThrow(/127\.0\.0\.1:1/);
    await expect(
      connectRegistry({
        bootstrapServers: "127.0.0.1:1",
        registryUrl: Redacted.make("http://127.0.0.1:1/apis/ccompat/v7"),
        namespace: "",
      }),
    ).rejects.toThrow(/127\.0\.0\.1:1/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
