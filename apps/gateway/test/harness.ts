// A gateway on the real stack: its own namespace (topics + subjects) and its own Postgres schema.

import { randomUUID } from "node:crypto";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { TransactionRequested } from "@ledgerline/contracts";
import { createReadCommittedConsumer, parseBrokers, type RecordConsumer } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import {
  createTestDatabase,
  createTestNamespace,
  type TestDatabase,
  type TestNamespace,
  testEnvironment,
} from "@ledgerline/testkit";
import { provisionNamespace } from "@ledgerline/topology";
import { Redacted } from "effect";
import { DEV_API_KEY } from "../src/access/apiKeys.ts";
import { buildApp } from "../src/app.ts";
import { gatewayConfigFrom } from "../src/Config.ts";
import { type GatewayRuntime, startGateway } from "../src/layers.ts";
import { defaultSettings, type GatewaySettings } from "../src/settings.ts";

export interface Harness {
  readonly app: OpenAPIHono;
  readonly gateway: GatewayRuntime;
  readonly ns: TestNamespace;
  readonly db: TestDatabase;
  close(): Promise<void>;
}

export const AUTH = { Authorization: `Bearer ${DEV_API_KEY}` };
export const JSON_HEADERS = { ...AUTH, "Content-Type": "application/json" };
export const SEED = {
  account_id: "ACC-7890",
  amount: 1250.75,
  currency: "USD",
  merchant_name: "Chicago Retail Hub",
};

export const startHarness = async (
  label: string,
  overrides: Partial<GatewaySettings> = {},
  bootstrapServers = testEnvironment().bootstrapServers,
): Promise<Harness> => {
  const env = testEnvironment();
  const [ns, db] = await Promise.all([
    bootstrapServers === env.bootstrapServers
      ? createTestNamespace(label, { only: ["requested"] })
      : provisionNamespace(label, {
          only: ["requested"],
          environment: { bootstrapServers, registryUrl: Redacted.make(env.registryUrl), namespace: "" },
        }),
    createTestDatabase(label),
  ]);
  const gateway = await startGateway(
    gatewayConfigFrom(defaultSettings({ namespace: ns.namespace, ...overrides }), {
      bootstrapServers,
      registryUrl: env.registryUrl,
      databaseUrl: db.url,
    }),
  );
  return {
    app: buildApp(gateway.services),
    gateway,
    ns,
    db,
    close: async () => {
      await gateway.dispose();
      await Promise.all([ns.cleanup(), db.cleanup()]);
    },
  };
};

export const post = (app: OpenAPIHono, path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: "POST",
    headers: { ...JSON_HEADERS, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

export interface ReadBack {
  readonly key: string;
  readonly value: TransactionRequested;
  readonly raw: Buffer;
}

/** Reads transactions.requested read_committed from the start until `expected` (a count or a predicate) or the timeout. */
export const readRequested = async (
  ns: TestNamespace,
  expected: number | ((seen: readonly ReadBack[]) => boolean),
  timeoutMs = 20_000,
  bootstrapServers = testEnvironment().bootstrapServers,
): Promise<ReadBack[]> => {
  const env = testEnvironment();
  const codec = new RegistryCodec({ url: env.registryUrl, names: ns.names });
  const consumer: RecordConsumer = createReadCommittedConsumer(
    { bootstrapBrokers: parseBrokers(bootstrapServers), clientId: "gateway-test-reader" },
    `${ns.namespace}.reader.${randomUUID()}`,
  );
  const seen: ReadBack[] = [];
  try {
    const stream = await consumer.consume({
      topics: [ns.names.topic("requested")],
      mode: "earliest",
      autocommit: false,
    });
    const timer = setTimeout(() => stream.close(), timeoutMs);
    try {
      for await (const message of stream) {
        seen.push({
          key: message.key,
          value: await codec.decode<TransactionRequested>("requested", message.value),
          raw: message.value,
        });
        if (typeof expected === "number" ? seen.length >= expected : expected(seen)) break;
      }
    } finally {
      clearTimeout(timer);
      await stream.close().catch(() => undefined);
    }
  } finally {
    await consumer.close(true);
  }
  return seen;
};
