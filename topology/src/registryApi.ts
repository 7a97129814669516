// The registry calls the codec library keeps internal (subject config, compatibility check).
import registryApiModule from "@kafkajs/confluent-schema-registry/dist/api/index.js";
import { type Compatibility, registryEndpoint, requestTimeout } from "@ledgerline/catalogue";
import { backoffDelayMs, httpStatusOf, isServiceOutage } from "@ledgerline/resilience";

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

const orUndefinedOn404 = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await call();
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
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

export interface RegistryAdminOptions {
  /** Each HTTP request is abandoned after this: a registry that swallows a request must not hang apply. */
  readonly timeoutMs?: number;
  /** Tries per call while the registry is out (no answer, unreachable, 5xx); then the outage is thrown. */
  readonly attempts?: number;
}

export const registryAdmin = (url: string, options: RegistryAdminOptions = {}): RegistryAdmin => {
  const { host, auth } = registryEndpoint(url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attempts = options.attempts ?? 5;
  const api = createRegistryApi({
    host,
    ...(auth ? { auth } : {}),
    retry: { retries: 0 },
    middlewares: [requestTimeout(timeoutMs)],
  });
  // Every admin call is idempotent (a register of a schema the subject holds returns its id), so an
  // outage is retried on a new request with the shared backoff; any other answer goes to the caller.
  const retried =
    <A extends unknown[], T>(call: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      for (let failures = 0; ; failures++) {
        try {
          return await call(...args);
        } catch (error) {
          if (!isServiceOutage(error) || failures + 1 >= attempts) throw error;
          await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(failures, { baseMs: 500 })));
        }
      }
    };
  const admin: RegistryAdmin = {
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
        if (httpStatusOf(error) === 404) return { compatible: true, messages: [] };
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
  return {
    getCompatibility: retried(admin.getCompatibility),
    setCompatibility: retried(admin.setCompatibility),
    isCompatible: retried(admin.isCompatible),
    latestVersion: retried(admin.latestVersion),
    findSchema: retried(admin.findSchema),
    register: retried(admin.register),
  };
};
