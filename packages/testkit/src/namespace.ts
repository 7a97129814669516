// Each test gets its own namespace: its own topics, subjects, groups and transactional ids.
import { randomBytes } from "node:crypto";
import { applyTopology, connectAdmin, connectRegistry, type Names, names, type TopicId } from "@ledgerline/topology";
import { testEnvironment } from "./environment.ts";

export interface TestNamespace {
  readonly namespace: string;
  readonly names: Names;
  /** Deletes the namespace's topics (subjects stay: the registry keeps history by design). */
  cleanup(): Promise<void>;
}

export const uniqueNamespace = (label = "t") => `${label}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;

export const createTestNamespace = async (
  label = "t",
  options: { only?: readonly TopicId[] } = {},
): Promise<TestNamespace> => {
  const environment = testEnvironment();
  const namespace = uniqueNamespace(label);
  const resolved = names(namespace);
  const admin = await connectAdmin({ ...environment, namespace });
  try {
    const registry = await connectRegistry({ ...environment, namespace });
    await applyTopology({ admin, registry, names: resolved, only: options.only });
  } finally {
    await admin.close();
  }
  return {
    namespace,
    names: resolved,
    cleanup: async () => {
      const cleanupAdmin = await connectAdmin({ ...environment, namespace });
      try {
        const mine = (await cleanupAdmin.listTopics()).filter((topic) => topic.startsWith(`${namespace}.`));
        if (mine.length > 0) await cleanupAdmin.deleteTopics({ topics: mine });
      } finally {
        await cleanupAdmin.close();
      }
    },
  };
};
