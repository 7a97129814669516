// Every environment variable the ledger sink and its outbox relay read, in one place.
import { kafkaSecurityConfigFor } from "@ledgerline/kafka";
import { logLevelConfig } from "@ledgerline/observability";
import { Config, Context, Effect, Layer, Redacted } from "effect";

/** Stable per instance: names the relay's transactional id, which fences a zombie relay. */
export const instanceIdConfig = Config.String("LEDGER_SINK_INSTANCE_ID").pipe(Config.withDefault("0"));

export const sinkSettingsConfig = Config.all({
  // Kafka brokers, host:port comma-separated.
  bootstrapServers: Config.String("KAFKA_BOOTSTRAP_SERVERS").pipe(Config.withDefault("127.0.0.1:9092")),
  // SASL (this stage's principal) and TLS for a secured cluster: KAFKA_SECURITY_PROTOCOL and friends.
  kafkaSecurity: kafkaSecurityConfigFor("LEDGER_SINK"),
  // Confluent-compatible registry API: records are Avro in the Confluent wire format.
  // A secret (it may carry user:password): Redacted, unwrapped only where a registry client is made.
  registryUrl: Config.Redacted("SCHEMA_REGISTRY_URL").pipe(
    Config.withDefault(Redacted.make("http://127.0.0.1:8081/apis/ccompat/v7")),
  ),
  // The ledger database (the system of record).
  // LEDGER_SINK_DATABASE_URL: its own role, with only the ledger's writes (npm start sets it).
  // A secret (its password): Redacted, unwrapped only where a connection is opened.
  databaseUrl: Config.Redacted("LEDGER_SINK_DATABASE_URL").pipe(
    Config.orElse(() => Config.Redacted("DATABASE_URL")),
    Config.withDefault(Redacted.make("postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline")),
  ),
  // Prefixes topics, group and transactional ids: how tests and parallel environments isolate.
  namespace: Config.String("LEDGERLINE_NAMESPACE").pipe(Config.withDefault("")),
  // Per-batch logs are info; per-record detail only at debug.
  logLevel: logLevelConfig,
  // Stable per instance: names the relay's transactional id, which fences a zombie relay.
  instanceId: instanceIdConfig,
  // Records per database transaction: larger batches amortise the commit, smaller ones cut latency.
  batchSize: Config.Int("LEDGER_SINK_BATCH_SIZE").pipe(Config.withDefault(5_000)),
  // Longest wait to fill a batch before writing what has arrived.
  batchWaitMs: Config.Int("LEDGER_SINK_BATCH_WAIT_MS").pipe(Config.withDefault(20)),
  // Longest a fetch waits at the broker for 16 KiB of records: at a low rate, part of every record's latency.
  fetchMaxWaitMs: Config.Int("LEDGER_SINK_FETCH_MAX_WAIT_MS").pipe(Config.withDefault(20)),
  // Postgres connections: the sink's batch writer, the relay, the relay's cleanup, spare.
  poolSize: Config.Int("LEDGER_SINK_POOL_SIZE").pipe(Config.withDefault(6)),
  // Transient-error backoff: first delay and cap (jittered exponential).
  retryBaseMs: Config.Int("LEDGER_SINK_RETRY_BASE_MS").pipe(Config.withDefault(100)),
  retryMaxMs: Config.Int("LEDGER_SINK_RETRY_MAX_MS").pipe(Config.withDefault(5_000)),
  // "on" runs the outbox relay in this process; "off" lets it run as its own process (relay.ts).
  relayEnabled: Config.Boolean("OUTBOX_RELAY_ENABLED").pipe(Config.withDefault(true)),
  // Outbox rows per Kafka transaction.
  relayBatchSize: Config.Int("OUTBOX_RELAY_BATCH_SIZE").pipe(Config.withDefault(1_000)),
  // Polling fallback when no NOTIFY arrives (lost notification, listener reconnecting).
  relayPollMs: Config.Int("OUTBOX_RELAY_POLL_MS").pipe(Config.withDefault(1_000)),
  // Port of GET /metrics for Prometheus; 0 disables it (and the lag and outbox sampling).
  metricsPort: Config.Int("LEDGER_SINK_METRICS_PORT").pipe(Config.withDefault(9465)),
  // Address /metrics listens on: loopback unless a Prometheus elsewhere must scrape it.
  metricsHost: Config.String("LEDGER_SINK_METRICS_HOST").pipe(Config.withDefault("127.0.0.1")),
  // How often consumer lag and the outbox backlog are sampled.
  lagIntervalMs: Config.Int("METRICS_LAG_INTERVAL_MS").pipe(Config.withDefault(5_000)),
});

export type SinkSettings = Config.Success<typeof sinkSettingsConfig>;

export class SinkConfig extends Context.Service<SinkConfig, SinkSettings>()(
  "ledgerline/ledger-sink/SinkConfig",
) {
  static readonly layer = Layer.effect(
    SinkConfig,
    Effect.gen(function* () {
      return SinkConfig.of(yield* sinkSettingsConfig);
    }),
  );
}
