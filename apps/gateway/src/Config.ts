// The gateway's configuration, read once from the environment (Effect Config) into GatewaySettings.

import { type KafkaSecurity, kafkaSecurityConfigFor } from "@ledgerline/kafka";
import { StageFault } from "@ledgerline/resilience";
import { Config, ConfigProvider, Context, Effect, Layer, Redacted } from "effect";
import { decideApiKeys } from "./access/apiKeys.ts";
import {
  DEFAULT_STAGE_ENDPOINTS,
  defaultSettings,
  type GatewaySettings,
  parseStageEndpoints,
} from "./settings.ts";

export interface Connections {
  readonly bootstrapServers: string;
  /** SASL/TLS of the producer and the lag reader; absent = plain text (fixed test settings). */
  readonly kafkaSecurity?: KafkaSecurity;
  /** A secret (it may carry user:password): unwrapped only where the registry client is made. */
  readonly registryUrl: Redacted.Redacted<string>;
  /** A secret (its password): unwrapped only where the pool is created. */
  readonly databaseUrl: Redacted.Redacted<string>;
}

/** A setting whose parser throws on a bad value: the throw becomes a ConfigError (a Misconfigured fault). */
const parsed = <A>(name: string, fallback: string, parse: (value: string) => A): Config.Config<A> =>
  Config.String(name).pipe(
    Config.withDefault(fallback),
    Config.flatMap((value) => {
      try {
        return Config.succeed(parse(value));
      } catch (error) {
        const problem = (error as Error).message;
        return Config.fail(
          new ConfigProvider.SourceError({
            message: problem.includes(name) ? problem : `${name}=${value}: ${problem}`,
          }),
        );
      }
    }),
  );

export class GatewayConfig extends Context.Service<
  GatewayConfig,
  { readonly settings: GatewaySettings; readonly connections: Connections }
>()("ledgerline/gateway/GatewayConfig") {
  static readonly layer = Layer.effect(
    GatewayConfig,
    Effect.gen(function* () {
      const d = defaultSettings();
      const int = (name: string, fallback: number) => Config.Int(name).pipe(Config.withDefault(fallback));
      const str = (name: string, fallback: string) => Config.String(name).pipe(Config.withDefault(fallback));
      const connections: Connections = {
        // Where Kafka is; the gateway produces transactions.requested there.
        bootstrapServers: yield* str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        // SASL (the gateway's principal) and TLS for a secured cluster: KAFKA_SECURITY_PROTOCOL and friends.
        kafkaSecurity: yield* kafkaSecurityConfigFor("GATEWAY"),
        // Confluent-compatible registry that holds the Avro schemas we encode with.
        registryUrl: yield* Config.Redacted("SCHEMA_REGISTRY_URL").pipe(
          Config.withDefault(Redacted.make("http://127.0.0.1:8081/apis/ccompat/v7")),
        ),
        // The ledger, read by the query endpoints and by idempotent retries.
        // GATEWAY_DATABASE_URL: its own role, which may only read (npm start sets it); else DATABASE_URL.
        databaseUrl: yield* Config.Redacted("GATEWAY_DATABASE_URL").pipe(
          Config.orElse(() => Config.Redacted("DATABASE_URL")),
          Config.withDefault(Redacted.make("postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline")),
        ),
      };
      // Upstream identities: client, scopes and the sha256 of each API key (never the key itself). The
      // development key works only when LEDGERLINE_ENV=development (npm start sets it) and no key is set.
      const keys = decideApiKeys(
        Redacted.value(
          yield* Config.Redacted("GATEWAY_API_KEYS").pipe(Config.withDefault(Redacted.make(""))),
        ),
        yield* str("LEDGERLINE_ENV", "production"),
      );
      if (keys.kind === "refused")
        return yield* Effect.fail(
          new StageFault({ reason: "Misconfigured", message: keys.message, fix: keys.fix }),
        );
      const settings: GatewaySettings = {
        // HTTP listen port; 8000 so the seed demos' URLs work as written.
        port: yield* int("GATEWAY_PORT", d.port),
        // Listen address; loopback unless deliberately exposed.
        host: yield* str("GATEWAY_HOST", d.host),
        // Prefix for topics and subjects: isolates tests and parallel environments.
        namespace: yield* str("LEDGERLINE_NAMESPACE", d.namespace),
        apiKeys: keys.keys,
        developmentKey: keys.kind === "development",
        // Largest amount accepted, in minor units: a fat-finger guard far inside a 64-bit long.
        maxAmountMinor: yield* parsed("GATEWAY_MAX_AMOUNT_MINOR", d.maxAmountMinor.toString(), BigInt),
        // Request body caps (413 beyond): single and batch requests.
        bodyLimitBytes: yield* int("GATEWAY_BODY_LIMIT_BYTES", d.bodyLimitBytes),
        batchBodyLimitBytes: yield* int("GATEWAY_BATCH_BODY_LIMIT_BYTES", d.batchBodyLimitBytes),
        // Items per POST /v1/transactions:batch.
        batchMaxItems: yield* int("GATEWAY_BATCH_MAX_ITEMS", d.batchMaxItems),
        // Deeper JSON is refused (422) before parsing: no pathological structures.
        maxJsonDepth: yield* int("GATEWAY_MAX_JSON_DEPTH", d.maxJsonDepth),
        // Per-client token bucket: sustained rate and burst size (429 beyond).
        rateLimitPerSecond: yield* int("GATEWAY_RATE_LIMIT_PER_SECOND", d.rateLimitPerSecond),
        rateLimitBurst: yield* int("GATEWAY_RATE_LIMIT_BURST", d.rateLimitBurst),
        // The same per client for GET /reports and /reports.csv, whose totals scan what the filters select.
        reportRateLimitPerSecond: yield* int(
          "GATEWAY_REPORT_RATE_LIMIT_PER_SECOND",
          d.reportRateLimitPerSecond,
        ),
        reportRateLimitBurst: yield* int("GATEWAY_REPORT_RATE_LIMIT_BURST", d.reportRateLimitBurst),
        // Produce coalescing: wait this long for company, up to this many records per produce call.
        lingerMs: yield* int("GATEWAY_LINGER_MS", d.lingerMs),
        produceMaxBatch: yield* int("GATEWAY_PRODUCE_MAX_BATCH", d.produceMaxBatch),
        // Records waiting for an ack before new requests get 503 (memory bound, back-pressure).
        maxInFlight: yield* int("GATEWAY_MAX_IN_FLIGHT", d.maxInFlight),
        // Produce calls outstanding at once (more overlap, more throughput).
        maxConcurrentProduces: yield* int("GATEWAY_MAX_CONCURRENT_PRODUCES", d.maxConcurrentProduces),
        // A request not acked by Kafka within this answers 503. Meanwhile its produce is held and retried:
        // long enough to ride out a leader's failover (about 3 s, ops/stack/kafka/failure-detection.properties),
        // bounded so that a client never hangs while Kafka is down.
        ackTimeoutMs: yield* int("GATEWAY_ACK_TIMEOUT_MS", d.ackTimeoutMs),
        // Retry-After sent with 503/429.
        retryAfterSeconds: yield* int("GATEWAY_RETRY_AFTER_SECONDS", d.retryAfterSeconds),
        // Per-dependency timeout of GET /ready.
        readyTimeoutMs: yield* int("GATEWAY_READY_TIMEOUT_MS", d.readyTimeoutMs),
        // GET /health reuses its checks this long: polling it costs the dependencies nothing.
        healthCacheMs: yield* int("GATEWAY_HEALTH_CACHE_MS", d.healthCacheMs),
        // Budget for the ledger lookup of an idempotent retry; past it we produce anyway (downstream dedups).
        ledgerLookupTimeoutMs: yield* int("GATEWAY_LEDGER_LOOKUP_TIMEOUT_MS", d.ledgerLookupTimeoutMs),
        // GET /metrics and per-request HTTP metrics; off only to measure their overhead.
        metricsEnabled: yield* Config.Boolean("GATEWAY_METRICS_ENABLED").pipe(
          Config.withDefault(d.metricsEnabled),
        ),
        // The processor's and the sink's ops endpoints (one entry per instance): GET /status asks them.
        stageEndpoints: yield* parsed(
          "GATEWAY_STAGE_ENDPOINTS",
          DEFAULT_STAGE_ENDPOINTS,
          parseStageEndpoints,
        ),
      };
      return GatewayConfig.of({ settings, connections });
    }),
  );
}

/** Fixed configuration (tests, benchmarks): the same service, without reading the environment. */
export const gatewayConfigFrom = (
  settings: GatewaySettings,
  {
    databaseUrl,
    registryUrl,
    ...connections
  }: Omit<Connections, "databaseUrl" | "registryUrl"> & {
    readonly databaseUrl: string;
    readonly registryUrl: string;
  },
) =>
  Layer.succeed(
    GatewayConfig,
    GatewayConfig.of({
      settings,
      connections: {
        ...connections,
        databaseUrl: Redacted.make(databaseUrl),
        registryUrl: Redacted.make(registryUrl),
      },
    }),
  );
