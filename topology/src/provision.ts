// Provisions a namespaced copy of the whole topology: how tests and parallel environments isolate.
import { randomBytes } from "node:crypto";
import { applyTopology } from "./apply.ts";
import type { TopicId } from "./catalogue.ts";
import { connectAdmin, connectRegistry, environmentFrom, type TopologyEnvironment } from "./connect.ts";
import { type Names, names } from "./names.ts";

export interface ProvisionedNamespace {
  readonly namespace: string;
  readonly names: Names;
  /** Deletes the namespace's topics (subjects stay: the registry keeps history by design). */
  cleanup(): Promise<void>;
}

export const uniqueNamespace = (label = "t") =>
  `${label}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;

export const provisionNamespace = async (
  label = "t",
  options: { only?: readonly TopicId[]; environment?: TopologyEnvironment } = {},
): Promise<ProvisionedNamespace> => {
  const namespace = uniqueNamespace(label);
  const environment = { ...(options.environment ?? environmentFrom()), namespace };
  const resolved = names(namespace);
  const admin = await connectAdmin(environment);
  try {
    await applyTopology({
      admin,
      registry: await connectRegistry(environment),
      names: resolved,
      only: options.only,
    });
  } finally {
    await admin.close();
  }
  return {
    namespace,
    names: resolved,
    cleanup: async () => {
      const cleanupAdmin = await connectAdmin(environment);
      try {
        const mine = (await cleanupAdmin.listTopics()).filter((topic) => topic.startsWith(`${namespace}.`));
        if (mine.length > 0) await cleanupAdmin.deleteTopics({ topics: mine });
      } finally {
        await cleanupAdmin.close();
      }
    },
  };
};
