// Each test gets its own namespace: its own topics, subjects, consumer groups and transactional ids.
import type { TopicId } from "@ledgerline/catalogue";
import {
  type ProvisionedNamespace,
  provisionNamespace,
  type TopologyEnvironment,
} from "@ledgerline/topology";
import { Redacted } from "effect";

export type TestNamespace = ProvisionedNamespace;

export const createTestNamespace = (
  label = "t",
  options: {
    only?: readonly TopicId[];
    /** Another broker or registry than the shared ones (a throwaway one); a test's URL is plain text. */
    environment?: Omit<TopologyEnvironment, "namespace" | "registryUrl"> & { readonly registryUrl: string };
  } = {},
): Promise<TestNamespace> =>
  provisionNamespace(label, {
    ...(options.only ? { only: options.only } : {}),
    ...(options.environment
      ? {
          environment: {
            ...options.environment,
            registryUrl: Redacted.make(options.environment.registryUrl),
            namespace: "",
          },
        }
      : {}),
  });
