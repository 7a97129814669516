// The topology's only reader of the environment: where the broker and the registry are, and the namespace.
import { type KafkaSecurity, kafkaSecurityConfig } from "@ledgerline/kafka";
import { Config, ConfigProvider, Effect, Redacted } from "effect";

export interface TopologyEnvironment {
  readonly bootstrapServers: string;
  /** SASL/TLS for a secured cluster (the ops principal); absent = plain text. */
  readonly kafkaSecurity?: KafkaSecurity;
  /** A secret (it may carry user:password): unwrapped only where a registry client is made. */
  readonly registryUrl: Redacted.Redacted<string>;
  readonly namespace: string;
}

const environmentConfig = Config.all({
  // The shared native stack's defaults (ops/stack), so a bare `npm run topology` works on a dev machine.
  bootstrapServers: Config.String("KAFKA_BOOTSTRAP_SERVERS").pipe(Config.withDefault("127.0.0.1:9092")),
  // KAFKA_SECURITY_PROTOCOL and friends, or an error that says which variable is wrong.
  kafkaSecurity: kafkaSecurityConfig,
  registryUrl: Config.Redacted("SCHEMA_REGISTRY_URL").pipe(
    Config.withDefault(Redacted.make("http://127.0.0.1:8081/apis/ccompat/v7")),
  ),
  // Prefixes every topic, subject, group and transactional id (tests and parallel environments).
  namespace: Config.String("LEDGERLINE_NAMESPACE").pipe(Config.withDefault("")),
});

/** Throws an Error naming the variable that is wrong (the CLI prints it). */
export const environmentFrom = (env: NodeJS.ProcessEnv = process.env): TopologyEnvironment =>
  Effect.runSync(
    environmentConfig
      .parse(ConfigProvider.fromEnvRecord(env))
      .pipe(Effect.mapError((error) => new Error(error.cause.message))),
  );
