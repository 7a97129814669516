// Each test gets its own namespace: its own topics, subjects, consumer groups and transactional ids.
import { type ProvisionedNamespace, provisionNamespace, type TopicId } from "@ledgerline/topology";

export type TestNamespace = ProvisionedNamespace;

export const createTestNamespace = (
  label = "t",
  options: { only?: readonly TopicId[] } = {},
): Promise<TestNamespace> => provisionNamespace(label, options);
