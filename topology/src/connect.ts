// Opens the admin clients `apply` and `check` need, failing fast with the address when a service is down.
import { registryEndpoint } from "@ledgerline/catalogue";
import { createAdmin, parseBrokers } from "@ledgerline/kafka";
import type { Admin } from "@platformatic/kafka";
import { Redacted } from "effect";
import type { TopologyEnvironment } from "./Config.ts";
import { type RegistryAdmin, registryAdmin, registryHeaders } from "./registryApi.ts";

export class UnreachableError extends Error {
  override readonly name = "UnreachableError";
}

const within = <T>(ms: number, what: string, promise: Promise<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new UnreachableError(`${what}: no answer within ${ms / 1000} s`)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(new UnreachableError(`${what}: ${(error as Error).message}`));
      },
    );
  });

export const connectAdmin = async (environment: TopologyEnvironment, timeoutMs = 8_000): Promise<Admin> => {
  const admin = createAdmin({
    clientId: "ledgerline-topology",
    bootstrapBrokers: parseBrokers(environment.bootstrapServers),
    security: environment.kafkaSecurity,
    timeoutMs: 3_000,
    retries: 1,
  });
  try {
    await within(
      timeoutMs,
      `Kafka at ${environment.bootstrapServers} is unreachable`,
      admin.metadata({ topics: [] }),
    );
    return admin;
  } catch (error) {
    await admin.close().catch(() => undefined);
    throw error;
  }
};

export const connectRegistry = async (
  environment: TopologyEnvironment,
  timeoutMs = 8_000,
): Promise<RegistryAdmin> => {
  // The registry's client is made here: the one place its URL (and any password in it) is unwrapped.
  const registryUrl = Redacted.value(environment.registryUrl);
  const { host, display } = registryEndpoint(registryUrl);
  const url = `${host.replace(/\/$/, "")}/subjects`;
  await within(
    timeoutMs,
    `Schema registry at ${display} is unreachable`,
    fetch(url, {
      headers: registryHeaders(registryUrl),
      signal: AbortSignal.timeout(timeoutMs),
    }).then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
    }),
  );
  return registryAdmin(registryUrl);
};
