// The registry calls the codec library keeps internal (subject config, compatibility check).
import registryApiModule from "@kafkajs/confluent-schema-registry/dist/api/index.js";
import { type Compatibility, registryEndpoint } from "@ledgerline/catalogue";

type CreateRegistryApi = typeof registryApiModule.default;
// CommonJS interop: Node hands us module.exports ({ default }), bundlers such as Vite the function itself.
const createRegistryApi: CreateRegistryApi =
  (registryApiModule as unknown as { default?: CreateRegistryApi }).default ??
  (registryApiModule as unknown as CreateRegistryApi);

export interface RegistryAdmin {
  getCompatibility(subject: string): Promise<Compatibility | undefined>;
  setCompatibility(subject: string, level: Compatibility): Promise<void>;
  /** True when `schema` can be registered under `subject` given its compatibility level. */
  isCompatible(subject: string, schema: string): Promise<{ compatible: boolean; messages: string[] }>;
  latestVersion(subject: string): Promise<{ id: number; version: number; schema: string } | undefined>;
  findSchema(subject: string, schema: string): Promise<{ id: number; version: number } | undefined>;
  register(subject: string, schema: string): Promise<{ id: number }>;
}

const statusOf = (error: unknown) =>
  typeof error === "object" && error !== null && "status" in error ? Number(error.status) : undefined;

const orUndefinedOn404 = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await call();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
};

/** The Authorization header for `url`'s credentials, if it carries any. */
export const registryHeaders = (url: string): Record<string, string> => {
  const { auth } = registryEndpoint(url);
  return auth
    ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` }
    : {};
};

export const registryAdmin = (url: string): RegistryAdmin => {
  const { host, auth } = registryEndpoint(url);
  const api = createRegistryApi({ host, ...(auth ? { auth } : {}), retry: { retries: 0 } });
  return {
    getCompatibility: (subject) =>
      orUndefinedOn404(async () => {
        const response = await api.Subject.config({ subject });
        const data = response.data() as { compatibilityLevel?: string; compatibility?: string };
        return (data.compatibilityLevel ?? data.compatibility)?.toUpperCase() as Compatibility;
      }),
    setCompatibility: async (subject, level) => {
      await api.Subject.updateConfig({ subject, body: { compatibility: level } });
    },
    isCompatible: async (subject, schema) => {
      try {
        const response = await api.Subject.compatible({
          subject,
          version: "latest",
          body: { schema },
          params: { verbose: true },
        });
        const data = response.data() as { is_compatible: boolean; messages?: string[] };
        return { compatible: data.is_compatible, messages: data.messages ?? [] };
      } catch (error) {
        // No version yet: anything is compatible with nothing.
        if (statusOf(error) === 404) return { compatible: true, messages: [] };
        throw error;
      }
    },
    latestVersion: (subject) =>
      orUndefinedOn404(async () => {
        const response = await api.Subject.latestVersion({ subject });
        return response.data() as { id: number; version: number; schema: string };
      }),
    findSchema: (subject, schema) =>
      orUndefinedOn404(async () => {
        const response = await api.Subject.registered({ subject, body: { schema } });
        return response.data() as { id: number; version: number };
      }),
    register: async (subject, schema) => {
      const response = await api.Subject.register({ subject, body: { schema } });
      return response.data() as { id: number };
    },
  };
};
