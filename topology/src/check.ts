// `topology check`: fail when a schema in the working tree is not compatible with the latest registered one.
import { type TopicId, topics } from "./catalogue.ts";
import type { Names } from "./names.ts";
import type { RegistryAdmin } from "./registryApi.ts";
import { loadSchema } from "./schemas.ts";

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
    const { text, file } = loadSchema(id, options.directory);
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
