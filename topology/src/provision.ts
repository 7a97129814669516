// Provisions a namespaced copy of the whole topology: how tests and parallel environments isolate.
import { randomBytes } from "node:crypto";
import { type Names, names, type TopicId } from "@ledgerline/catalogue";
import { applyTopology } from "./apply.ts";
import { environmentFrom, type TopologyEnvironment } from "./Config.ts";
import { connectAdmin, connectRegistry } from "./connect.ts";

export interface ProvisionedNamespace {
  readonly namespace: string;
  readonly names: Names;
  /** Deletes the namespace's topics (subjects stay: the registry keeps history by design). */
  cleanup(): Promise<void>;
}

export const uniqueNamespace = (label = "t") =>
  `${label}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;

const ATTEMPT_MS = 15_000;
const ATTEMPTS = 3;

export const provisionNamespace = async (
  label = "t",
  options: { only?: readonly TopicId[]; environment?: TopologyEnvironment } = {},
): Promise<ProvisionedNamespace> => {
  const namespace = uniqueNamespace(label);
  const environment = { ...(options.environment ?? environmentFrom()), namespace };
  const resolved = names(namespace);
  // Each attempt is bounded: on a loaded machine a broker or registry call was seen to never answer
  // (120 s test-hook timeouts). apply is idempotent, so a fresh connection simply tries again.
  for (let attempt = 1; ; attempt++) {
    let step = "connect to Kafka";
    const opened: { admin?: Awaited<ReturnType<typeof connectAdmin>> } = {};
    const work = (async () => {
      const admin = await connectAdmin(environment);
      opened.admin = admin;
      step = "connect to the registry";
      await applyTopology({
        admin,
        registry: await connectRegistry(environment),
        names: resolved,
        only: options.only,
        onStep: (next) => {
          step = next;
        },
      });
    })();
    const done = work.then(() => "done" as const);
    // An abandoned attempt rejects once its connection is closed: that is expected, not unhandled.
    done.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<"stuck">((resolve) => {
      timer = setTimeout(() => resolve("stuck"), ATTEMPT_MS);
    });
    try {
      if ((await Promise.race([done, stuck])) === "done") break;
      const message = `provision ${namespace}: no answer for ${ATTEMPT_MS / 1000} s at "${step}" (attempt ${attempt})`;
      if (attempt >= ATTEMPTS) throw new Error(message);
      console.warn(`${message}; retrying with a new connection`);
    } finally {
      clearTimeout(timer);
      await opened.admin?.close().catch(() => undefined);
    }
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
