// Every environment variable the processor reads, in one place.
import { type CurrencyCode, isSupportedCurrency } from "@ledgerline/domain";
import { type KafkaSecurity, kafkaSecurityConfigFor } from "@ledgerline/kafka";
import { logLevelConfig } from "@ledgerline/observability";
import { Config, ConfigProvider, Context, Effect, Layer, type LogLevel, Redacted } from "effect";

export interface ProcessorSettings {
  readonly bootstrapServers: string;
  /** SASL/TLS of its Kafka clients; absent = plain text (fixed test settings). */
  readonly kafkaSecurity?: KafkaSecurity;
  /** A secret (it may carry user:password): unwrapped only where a registry client is made. */
  readonly registryUrl: Redacted.Redacted<string>;
  readonly namespace: string;
  readonly logLevel: LogLevel.LogLevel;
  readonly instanceId: string;
  readonly batchSize: number;
  readonly commitIntervalMs: number;
  /** Longest a fetch waits at the broker for 16 KiB (absent: the client's 100 ms). */
  readonly fetchMaxWaitMs?: number;
  readonly baseCurrency: CurrencyCode;
  readonly mode: "exactly-once" | "at-least-once";
  /** Optional so fixed test/benchmark settings need not spell them (absent = no metrics endpoint). */
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  readonly lagIntervalMs?: number;
  /** Publish the reference FX rates first when fx.rates is empty (`npm -w @ledgerline/processor start`). */
  readonly seedFxRates?: boolean;
}

/** Stable per instance: names the transactional id that fences zombies (and the process in /ready). */
export const instanceIdConfig = Config.String("PROCESSOR_INSTANCE_ID").pipe(Config.withDefault("0"));

// Kafka brokers, host:port comma-separated.
const bootstrapServersConfig = Config.String("KAFKA_BOOTSTRAP_SERVERS").pipe(
  Config.withDefault("127.0.0.1:9092"),
);
// Confluent-compatible registry API: decoding needs writer schemas by id.
// A secret (it may carry user:password): Redacted, unwrapped only where a registry client is made.
const registryUrlConfig = Config.Redacted("SCHEMA_REGISTRY_URL").pipe(
  Config.withDefault(Redacted.make("http://127.0.0.1:8081/apis/ccompat/v7")),
);
// Prefixes topics, group and transactional id: how tests and parallel environments isolate.
const namespaceConfig = Config.String("LEDGERLINE_NAMESPACE").pipe(Config.withDefault(""));

export const settingsConfig = Config.all({
  bootstrapServers: bootstrapServersConfig,
  // SASL (this stage's principal) and TLS for a secured cluster: KAFKA_SECURITY_PROTOCOL and friends.
  kafkaSecurity: kafkaSecurityConfigFor("PROCESSOR"),
  registryUrl: registryUrlConfig,
  namespace: namespaceConfig,
  // Per-batch logs are info; per-record detail only at debug.
  logLevel: logLevelConfig,
  // Must be STABLE across restarts of the same instance: it names the transactional id that fences zombies.
  instanceId: instanceIdConfig,
  // Most records per Kafka transaction; with a backlog this, not the interval, sets the transaction size.
  batchSize: Config.Int("PROCESSOR_BATCH_SIZE").pipe(Config.withDefault(2_000)),
  // Longest time to fill a batch: the commit interval. With a backlog the batch size sets the transaction; below
  // it this bounds each record's wait (20 ms: accept→posted p50 148 → 82 ms at 1,000 POSTs/s, docs/performance.md).
  commitIntervalMs: Config.Int("PROCESSOR_COMMIT_INTERVAL_MS").pipe(Config.withDefault(20)),
  // Longest a fetch waits at the broker for 16 KiB of records: at a low rate, part of every record's latency.
  fetchMaxWaitMs: Config.Int("PROCESSOR_FETCH_MAX_WAIT_MS").pipe(Config.withDefault(20)),
  // Ledger base currency all amounts are converted into.
  baseCurrency: Config.String("BASE_CURRENCY").pipe(
    Config.withDefault("USD"),
    Config.map((code) => code.toUpperCase()),
    Config.flatMap((code) =>
      isSupportedCurrency(code)
        ? Config.succeed<CurrencyCode>(code)
        : Config.fail(
            new ConfigProvider.SourceError({ message: `BASE_CURRENCY ${code} is not a supported currency` }),
          ),
    ),
  ),
  // "at-least-once" exists only for the benchmark's comparison; production runs exactly-once.
  mode: Config.Literals(["exactly-once", "at-least-once"], "PROCESSOR_DELIVERY").pipe(
    Config.withDefault("exactly-once" as const),
  ),
  // Port of GET /metrics for Prometheus; 0 disables it (and the lag sampling).
  metricsPort: Config.Int("PROCESSOR_METRICS_PORT").pipe(Config.withDefault(9464)),
  // Address /metrics listens on: loopback unless a Prometheus elsewhere must scrape it.
  metricsHost: Config.String("PROCESSOR_METRICS_HOST").pipe(Config.withDefault("127.0.0.1")),
  // How often consumer lag is sampled (two admin requests per sample).
  lagIntervalMs: Config.Int("METRICS_LAG_INTERVAL_MS").pipe(Config.withDefault(5_000)),
  // Publish the reference FX rates first when fx.rates is empty (`npm -w @ledgerline/processor start`).
  seedFxRates: Config.Boolean("PROCESSOR_SEED_FX_RATES").pipe(Config.withDefault(false)),
});

export class ProcessorConfig extends Context.Service<ProcessorConfig, ProcessorSettings>()(
  "ledgerline/processor/ProcessorConfig",
) {
  static readonly layer = Layer.effect(
    ProcessorConfig,
    Effect.gen(function* () {
      return ProcessorConfig.of(yield* settingsConfig);
    }),
  );
}

/** The FX publisher, a set-up step like `topology apply`: it writes fx.rates, which the processor's own
 *  principal may only read, so it logs in as the tools' shared Kafka user (KAFKA_SASL_*). */
export const fxPublisherConfig = Config.all({
  bootstrapServers: bootstrapServersConfig,
  kafkaSecurity: kafkaSecurityConfigFor(),
  registryUrl: registryUrlConfig,
  namespace: namespaceConfig,
});
