// How a client reaches a secured Kafka: SASL (SCRAM-SHA-512 or -256, PLAIN for managed services) and
// TLS (a CA file, optionally a client certificate). One description every stage's Config.ts reads, and
// the pure decision from its variables to client options, with a clear reason when they do not fit.
import { readFileSync } from "node:fs";
import { Config, ConfigProvider, Effect, Redacted } from "effect";

export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const SASL_MECHANISMS = ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSecurity {
  readonly protocol: SecurityProtocol;
  readonly sasl?: {
    readonly mechanism: SaslMechanism;
    readonly username: string;
    /** A secret: unwrapped only where the client options are built (securityOptions). */
    readonly password: Redacted.Redacted<string>;
  };
  /** TLS on (SSL, SASL_SSL); absent CA = the system's trusted CAs (a managed service's public certificate). */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
}

export const PLAINTEXT: KafkaSecurity = { protocol: "PLAINTEXT" };

/** The variables as text (unset = undefined), named as in .env.example; the password stays Redacted. */
export interface KafkaSecurityVariables {
  readonly KAFKA_SECURITY_PROTOCOL?: string;
  readonly KAFKA_SASL_MECHANISM?: string;
  readonly KAFKA_SASL_USERNAME?: string;
  readonly KAFKA_SASL_PASSWORD?: Redacted.Redacted<string>;
  readonly KAFKA_SSL_CA_FILE?: string;
  readonly KAFKA_SSL_CERT_FILE?: string;
  readonly KAFKA_SSL_KEY_FILE?: string;
}

export type SecurityDecision =
  | { readonly kind: "security"; readonly security: KafkaSecurity }
  | { readonly kind: "invalid"; readonly problem: string };

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";
/** Whether a secret is set; it is looked at, never copied out. */
const presentSecret = (value: Redacted.Redacted<string> | undefined): value is Redacted.Redacted<string> =>
  value !== undefined && Redacted.value(value).trim() !== "";

/** The variables → what the clients use. `readFile` is the only I/O, passed in (tests give a map). */
export const decideKafkaSecurity = (
  vars: KafkaSecurityVariables,
  readFile: (path: string) => Buffer = readFileSync,
): SecurityDecision => {
  const invalid = (problem: string): SecurityDecision => ({ kind: "invalid", problem });
  const protocol = (vars.KAFKA_SECURITY_PROTOCOL?.trim() || "PLAINTEXT").toUpperCase();
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol))
    return invalid(`KAFKA_SECURITY_PROTOCOL is "${protocol}": use one of ${SECURITY_PROTOCOLS.join(", ")}`);
  const usesSasl = protocol.startsWith("SASL_");
  const usesTls = protocol.endsWith("SSL");
  const saslSet = [
    ...(present(vars.KAFKA_SASL_USERNAME) ? ["KAFKA_SASL_USERNAME"] : []),
    ...(presentSecret(vars.KAFKA_SASL_PASSWORD) ? ["KAFKA_SASL_PASSWORD"] : []),
  ];
  if (!usesSasl && saslSet.length > 0)
    return invalid(`${saslSet.join(" and ")} set, but KAFKA_SECURITY_PROTOCOL is ${protocol}: use SASL_SSL`);
  const tlsSet = (["KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"] as const).filter(
    (name) => present(vars[name]),
  );
  if (!usesTls && tlsSet.length > 0)
    return invalid(
      `${tlsSet.join(" and ")} set, but KAFKA_SECURITY_PROTOCOL is ${protocol}: use SSL or SASL_SSL`,
    );

  let sasl: KafkaSecurity["sasl"];
  if (usesSasl) {
    const mechanism = (vars.KAFKA_SASL_MECHANISM?.trim() || "SCRAM-SHA-512").toUpperCase();
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
      return invalid(`KAFKA_SASL_MECHANISM is "${mechanism}": use one of ${SASL_MECHANISMS.join(", ")}`);
    if (!present(vars.KAFKA_SASL_USERNAME) || !presentSecret(vars.KAFKA_SASL_PASSWORD))
      return invalid(
        `KAFKA_SECURITY_PROTOCOL is ${protocol}: set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
      );
    sasl = {
      mechanism: mechanism as SaslMechanism,
      username: vars.KAFKA_SASL_USERNAME.trim(),
      password: vars.KAFKA_SASL_PASSWORD,
    };
  }

  let tls: KafkaSecurity["tls"];
  if (usesTls) {
    if (present(vars.KAFKA_SSL_CERT_FILE) !== present(vars.KAFKA_SSL_KEY_FILE))
      return invalid("a client certificate needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE");
    const files: Record<string, Buffer> = {};
    for (const name of tlsSet) {
      const path = vars[name] as string;
      try {
        files[name] = readFile(path.trim());
      } catch (error) {
        return invalid(`${name}: cannot read ${path} (${(error as Error).message})`);
      }
    }
    tls = {
      ...(files.KAFKA_SSL_CA_FILE ? { ca: files.KAFKA_SSL_CA_FILE } : {}),
      ...(files.KAFKA_SSL_CERT_FILE ? { cert: files.KAFKA_SSL_CERT_FILE } : {}),
      ...(files.KAFKA_SSL_KEY_FILE ? { key: files.KAFKA_SSL_KEY_FILE } : {}),
    };
  }
  return {
    kind: "security",
    security: { protocol: protocol as SecurityProtocol, ...(sasl ? { sasl } : {}), ...(tls ? { tls } : {}) },
  };
};

const optionalOf =
  <A>(read: (name: string) => Config.Config<A>) =>
  (name: string) =>
    read(name).pipe(
      Config.option,
      Config.map((value) => (value._tag === "Some" ? value.value : undefined)),
    );
const optional = optionalOf(Config.String);
const optionalSecret = optionalOf(Config.Redacted);

/** `<PRINCIPAL>_KAFKA_SASL_…` when set (one environment can carry each stage's own user, as the native
 *  stack's does), else the shared `KAFKA_SASL_…`. */
const ownOrShared = <A>(
  read: (name: string) => Config.Config<A | undefined>,
  principal: string | undefined,
  name: string,
) =>
  principal === undefined
    ? read(name)
    : Config.all([read(`${principal}_${name}`), read(name)]).pipe(
        Config.map(([own, shared]) => own ?? shared),
      );

/** What a stage's Config.ts yields: the security of its Kafka clients, or a configuration error saying
 *  why. `principal` (GATEWAY, PROCESSOR, LEDGER_SINK, LEDGERLINE) names the stage's own SASL variables. */
export const kafkaSecurityConfigFor = (principal?: string): Config.Config<KafkaSecurity> =>
  Config.all({
    KAFKA_SECURITY_PROTOCOL: optional("KAFKA_SECURITY_PROTOCOL"),
    KAFKA_SASL_MECHANISM: optional("KAFKA_SASL_MECHANISM"),
    KAFKA_SASL_USERNAME: ownOrShared(optional, principal, "KAFKA_SASL_USERNAME"),
    // A secret: Redacted from the moment it is read.
    KAFKA_SASL_PASSWORD: ownOrShared(optionalSecret, principal, "KAFKA_SASL_PASSWORD"),
    KAFKA_SSL_CA_FILE: optional("KAFKA_SSL_CA_FILE"),
    KAFKA_SSL_CERT_FILE: optional("KAFKA_SSL_CERT_FILE"),
    KAFKA_SSL_KEY_FILE: optional("KAFKA_SSL_KEY_FILE"),
  }).pipe(
    Config.mapEffect((vars) => {
      const decision = decideKafkaSecurity(vars);
      return decision.kind === "security"
        ? Effect.succeed(decision.security)
        : Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({ message: decision.problem })));
    }),
  );

/** The shared KAFKA_SASL_… variables only (tools with one principal). */
export const kafkaSecurityConfig: Config.Config<KafkaSecurity> = kafkaSecurityConfigFor();

/** The options @platformatic/kafka's clients take for it. The SASL password is unwrapped here only, and
 *  lazily: the client asks a credential provider when it authenticates, so its options never hold it. */
export const securityOptions = (security: KafkaSecurity | undefined) => {
  const sasl = security?.sasl;
  return {
    ...(sasl ? { sasl: { ...sasl, password: () => Redacted.value(sasl.password) } } : {}),
    ...(security?.tls ? { tls: { ...security.tls } } : {}),
  };
};
