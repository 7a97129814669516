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
  /** Where GET /status asks each stage instance for its readiness (its ops endpoint). */
  readonly stageEndpoints: readonly StageEndpoint[];
  /** The development key is in use (GATEWAY_API_KEYS unset): the start-up banner says so. */
  readonly developmentKey: boolean;
}

export interface StageEndpoint {
  readonly stage: string;
  readonly url: string;
}

/** "processor=http://host:9464,ledger-sink=http://host:9465" (a stage may be listed once per instance). */
export const parseStageEndpoints = (value: string): StageEndpoint[] =>
  value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const separator = entry.indexOf("=");
      const stage = entry.slice(0, separator).trim();
      const url = entry.slice(separator + 1).trim();
      if (separator <= 0 || !/^https?:\/\//.test(url)) {
        throw new Error(
          `GATEWAY_STAGE_ENDPOINTS entry "${entry}" must be <stage>=<http URL of its ops endpoint>`,
        );
      }
      return { stage, url };
    });

export const DEFAULT_STAGE_ENDPOINTS = "processor=http://127.0.0.1:9464,ledger-sink=http://127.0.0.1:9465";

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
  stageEndpoints: parseStageEndpoints(DEFAULT_STAGE_ENDPOINTS),
  developmentKey: true,
  ledgerLookupTimeoutMs: 300,
  metricsEnabled: true,
  ...overrides,
});
