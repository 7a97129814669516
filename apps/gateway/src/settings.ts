// Everything the HTTP app needs to know, as plain data (Config.ts fills it from the environment).
import { type ApiKeys, DEV_API_KEYS, parseApiKeys } from "./access/apiKeys.ts";

export interface GatewaySettings {
  readonly port: number;
  readonly host: string;
  readonly namespace: string;
  /** sha256(key) hex → the client that holds the key and its scopes. */
  readonly apiKeys: ApiKeys;
  readonly maxAmountMinor: bigint;
  readonly bodyLimitBytes: number;
  readonly batchBodyLimitBytes: number;
  readonly batchMaxItems: number;
  readonly maxJsonDepth: number;
  readonly rateLimitPerSecond: number;
  readonly rateLimitBurst: number;
  /** GET /reports and /reports.csv per client (each runs a GROUP BY over what it selects). */
  readonly reportRateLimitPerSecond: number;
  readonly reportRateLimitBurst: number;
  readonly lingerMs: number;
  readonly produceMaxBatch: number;
  readonly maxInFlight: number;
  readonly maxConcurrentProduces: number;
  readonly ackTimeoutMs: number;
  readonly retryAfterSeconds: number;
  readonly readyTimeoutMs: number;
  /** How long GET /health reuses its dependency checks. */
  readonly healthCacheMs: number;
  readonly ledgerLookupTimeoutMs: number;
  /** GET /metrics and the per-request HTTP metrics. */
  readonly metricsEnabled: boolean;
  /** Where GET /status asks each stage instance for its readiness (its ops endpoint). */
  readonly stageEndpoints: readonly StageEndpoint[];
  /** The development key is in use (LEDGERLINE_ENV=development, no keys configured): the banner says so. */
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

const devKeys = (): ApiKeys => {
  const parsed = parseApiKeys(DEV_API_KEYS);
  if (parsed.kind !== "keys") throw new Error(parsed.problem);
  return parsed.keys;
};

export const defaultSettings = (overrides: Partial<GatewaySettings> = {}): GatewaySettings => ({
  port: 8000,
  host: "127.0.0.1",
  namespace: "",
  apiKeys: devKeys(),
  maxAmountMinor: 100_000_000_000_00n,
  bodyLimitBytes: 64 * 1024,
  batchBodyLimitBytes: 2 * 1024 * 1024,
  batchMaxItems: 1000,
  maxJsonDepth: 8,
  rateLimitPerSecond: 20_000,
  rateLimitBurst: 40_000,
  reportRateLimitPerSecond: 2,
  reportRateLimitBurst: 10,
  lingerMs: 0,
  produceMaxBatch: 500,
  maxInFlight: 20_000,
  maxConcurrentProduces: 2,
  ackTimeoutMs: 10_000,
  retryAfterSeconds: 2,
  readyTimeoutMs: 1_000,
  healthCacheMs: 2_000,
  stageEndpoints: parseStageEndpoints(DEFAULT_STAGE_ENDPOINTS),
  developmentKey: true,
  ledgerLookupTimeoutMs: 300,
  metricsEnabled: true,
  ...overrides,
});
