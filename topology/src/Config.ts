// The topology's only reader of the environment: where the broker and the registry are, and the namespace.
import { decideKafkaSecurity, type KafkaSecurity } from "@ledgerline/kafka";

export interface TopologyEnvironment {
  readonly bootstrapServers: string;
  /** SASL/TLS for a secured cluster (the ops principal); absent = plain text. */
  readonly kafkaSecurity?: KafkaSecurity;
  readonly registryUrl: string;
  readonly namespace: string;
}

/** KAFKA_SECURITY_PROTOCOL and friends, or an error that says which variable is wrong. */
const securityFrom = (env: NodeJS.ProcessEnv): KafkaSecurity => {
  const decision = decideKafkaSecurity(env);
  if (decision.kind === "invalid") throw new Error(decision.problem);
  return decision.security;
};

export const environmentFrom = (env: NodeJS.ProcessEnv = process.env): TopologyEnvironment => ({
  // The shared native stack's defaults (ops/stack), so a bare `npm run topology` works on a dev machine.
  bootstrapServers: env.KAFKA_BOOTSTRAP_SERVERS ?? "127.0.0.1:9092",
  kafkaSecurity: securityFrom(env),
  registryUrl: env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
  // Prefixes every topic, subject, group and transactional id (tests and parallel environments).
  namespace: env.LEDGERLINE_NAMESPACE ?? "",
});
