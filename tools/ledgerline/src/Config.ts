// Every environment variable the CLI reads, in one place (flags override some of them per command).
import { type KafkaSecurity, kafkaSecurityConfigFor } from "@ledgerline/kafka";
import { Config, Context, Effect, Layer, Redacted } from "effect";

export interface CliSettings {
  /** Kafka brokers: the DLQ is read from and replayed to them. */
  readonly kafkaBootstrapServers: string;
  /** SASL (the ops principal) and TLS for a secured cluster. */
  readonly kafkaSecurity: KafkaSecurity;
  /** Confluent-compatible registry API: decodes DLQ payloads and encodes envelopes. A secret (it may
   *  carry user:password), unwrapped only where the codec is made. */
  readonly schemaRegistryUrl: Redacted.Redacted<string>;
  /** The ledger database: seed writes Historical rows, simulate polls final states, replays are audited.
   *  A secret (its password), unwrapped only where a pool is opened. */
  readonly databaseUrl: Redacted.Redacted<string>;
  /** Prefix of topics, groups and transactional ids (tests isolate themselves with it). */
  readonly namespace: string;
  /** Where `simulate` and the k6 scripts send traffic. */
  readonly gatewayUrl: string;
  /** Bearer token for the gateway (the dev key unless the deployment sets its own); a secret. */
  readonly apiKey: Redacted.Redacted<string>;
  /** Replays of one record before a new dead letter of it is parked instead of replayed again. */
  readonly maxReplays: number;
}

export class CliConfig extends Context.Service<CliConfig, CliSettings>()("ledgerline/cli/CliConfig") {
  static readonly layer = Layer.effect(
    CliConfig,
    Effect.gen(function* () {
      return {
        kafkaBootstrapServers: yield* Config.String("KAFKA_BOOTSTRAP_SERVERS").pipe(
          Config.withDefault("127.0.0.1:9092"),
        ),
        kafkaSecurity: yield* kafkaSecurityConfigFor("LEDGERLINE"),
        schemaRegistryUrl: yield* Config.Redacted("SCHEMA_REGISTRY_URL").pipe(
          Config.withDefault(Redacted.make("http://127.0.0.1:8081/apis/ccompat/v7")),
        ),
        // LEDGERLINE_DATABASE_URL: the ops role (npm start's environment sets it); else DATABASE_URL.
        databaseUrl: yield* Config.Redacted("LEDGERLINE_DATABASE_URL").pipe(
          Config.orElse(() => Config.Redacted("DATABASE_URL")),
          Config.withDefault(Redacted.make("postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline")),
        ),
        namespace: yield* Config.String("LEDGERLINE_NAMESPACE").pipe(Config.withDefault("")),
        gatewayUrl: yield* Config.String("LEDGERLINE_GATEWAY_URL").pipe(
          Config.withDefault(`http://127.0.0.1:${process.env.GATEWAY_PORT ?? "8000"}`),
        ),
        apiKey: yield* Config.Redacted("LEDGERLINE_API_KEY").pipe(
          Config.withDefault(Redacted.make("dev-key-change-me")),
        ),
        maxReplays: yield* Config.Int("LEDGERLINE_DLQ_MAX_REPLAYS").pipe(Config.withDefault(3)),
      };
    }),
  );
}
