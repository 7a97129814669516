// Everything the HTTP app needs to know, as plain data (Config.ts fills it from the environment).
import { createHash } from "node:crypto";

export interface GatewaySettings {
  readonly port: number;
  readonly host: string;
  readonly namespace: string;
  /** sha256(key) hex → client id. */
  readonly apiKeyHashes: ReadonlyMap<string, string>;
  readonly maxAmountMinor: bigint;
  readonly bodyLimitBytes: number;
  readonly batchBodyLimitBytes: number;
  readonly batchMaxItems: number;
  readonly maxJsonDepth: number;
  readonly rateLimitPerSecond: number;
  readonly rateLimitBurst: number;
  readonly lingerMs: number;
  readonly produceMaxBatch: number;
  readonly maxInFlight: number;
  readonly maxConcurrentProduces: number;
  readonly ackTimeoutMs: number;
  readonly retryAfterSeconds: number;
  readonly readyTimeoutMs: number;
  readonly ledgerLookupTimeoutMs: number;
  /** GET /metrics and the per-request HTTP metrics. */
  readonly metricsEnabled: boolean;
}

export const DEV_CLIENT_ID = "dev";
export const DEV_API_KEY = "dev-key-change-me";

export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

/** "client:hexhash,other:hexhash" → map of hash → client id. */
export const parseApiKeys = (value: string): Map<string, string> => {
  const map = new Map<string, string>();
  for (const entry of value.split(",").map((part) => part.trim())) {
    if (!entry) continue;
    const separator = entry.lastIndexOf(":");
    const client = entry.slice(0, separator).trim();
    const hash = entry
      .slice(separator + 1)
      .trim()
      .toLowerCase();
    if (separator <= 0 || !/^[0-9a-f]{64}$/.test(hash)) {
      throw new Error(`GATEWAY_API_KEYS entry "${entry}" must be <client-id>:<sha256 hex of the key>`);
    }
    map.set(hash, client);
  }
  return map;
};

export const DEFAULT_API_KEYS = `${DEV_CLIENT_ID}:${sha256Hex(DEV_API_KEY)}`;

export const defaultSettings = (overrides: Partial<GatewaySettings> = {}): GatewaySettings => ({
  port: 8000,
  host: "127.0.0.1",
  namespace: "",
  apiKeyHashes: parseApiKeys(DEFAULT_API_KEYS),
  maxAmountMinor: 100_000_000_000_00n,
  bodyLimitBytes: 64 * 1024,
  batchBodyLimitBytes: 2 * 1024 * 1024,
  batchMaxItems: 1000,
  maxJsonDepth: 8,
  rateLimitPerSecond: 20_000,
  rateLimitBurst: 40_000,
  lingerMs: 0,
  produceMaxBatch: 500,
  maxInFlight: 20_000,
  maxConcurrentProduces: 2,
  ackTimeoutMs: 1_500,
  retryAfterSeconds: 2,
  readyTimeoutMs: 1_000,
  ledgerLookupTimeoutMs: 300,
  metricsEnabled: true,
  ...overrides,
});
