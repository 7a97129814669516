import { ConfigProvider, Effect, Redacted } from "effect";
import { describe, expect, it } from "vitest";
import { decideKafkaSecurity, kafkaSecurityConfigFor, securityOptions } from "./security.ts";

const files: Record<string, Buffer> = {
  "/ca.pem": Buffer.from("CA"),
  "/c.pem": Buffer.from("C"),
  "/k.pem": Buffer.from("K"),
};
const read = (path: string) => {
  const file = files[path];
  if (!file) throw new Error("ENOENT: no such file");
  return file;
};

describe("Kafka client security from its variables", () => {
  it("takes a stage's own user (<STAGE>_KAFKA_SASL_*) over the shared one", () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT",
      KAFKA_SASL_USERNAME: "shared",
      KAFKA_SASL_PASSWORD: "shared-secret",
      PROCESSOR_KAFKA_SASL_USERNAME: "processor",
      PROCESSOR_KAFKA_SASL_PASSWORD: "processor-secret",
    };
    const read = (principal: string) => {
      const sasl = Effect.runSync(
        kafkaSecurityConfigFor(principal).parse(ConfigProvider.fromUnknown(env)),
      ).sasl;
      return { username: sasl?.username, password: sasl && Redacted.value(sasl.password) };
    };
    expect(read("PROCESSOR")).toEqual({ username: "processor", password: "processor-secret" });
    expect(read("GATEWAY")).toEqual({ username: "shared", password: "shared-secret" });
  });

  it("keeps the password Redacted until a client asks for it", () => {
    const security = Effect.runSync(
      kafkaSecurityConfigFor("PROCESSOR").parse(
        ConfigProvider.fromUnknown({
          KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT",
          KAFKA_SASL_USERNAME: "processor",
          KAFKA_SASL_PASSWORD: "s3cret",
        }),
      ),
    );
    expect(Redacted.isRedacted(security.sasl?.password)).toBe(true);
    expect(JSON.stringify(security)).not.toContain("s3cret");
    expect(JSON.stringify(securityOptions(security))).not.toContain("s3cret");
    const password = securityOptions(security).sasl?.password;
    expect(typeof password === "function" && password()).toBe("s3cret");
  });

  it("is plain text by default", () => {
    expect(decideKafkaSecurity({}, read)).toEqual({ kind: "security", security: { protocol: "PLAINTEXT" } });
    expect(securityOptions({ protocol: "PLAINTEXT" })).toEqual({});
  });

  it("takes SCRAM over TLS with a CA and a client certificate", () => {
    const secret = Redacted.make("s3cret");
    const decision = decideKafkaSecurity(
      {
        KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
        KAFKA_SASL_USERNAME: "processor",
        KAFKA_SASL_PASSWORD: secret,
        KAFKA_SSL_CA_FILE: "/ca.pem",
        KAFKA_SSL_CERT_FILE: "/c.pem",
        KAFKA_SSL_KEY_FILE: "/k.pem",
      },
      read,
    );
    expect(decision).toEqual({
      kind: "security",
      security: {
        protocol: "SASL_SSL",
        sasl: { mechanism: "SCRAM-SHA-512", username: "processor", password: secret },
        tls: { ca: files["/ca.pem"], cert: files["/c.pem"], key: files["/k.pem"] },
      },
    });
    expect(decision.kind === "security" && securityOptions(decision.security)).toMatchObject({
      sasl: { mechanism: "SCRAM-SHA-512", username: "processor" },
      tls: { ca: files["/ca.pem"] },
    });
    // A managed service: PLAIN over TLS with the system's CAs.
    expect(
      decideKafkaSecurity(
        {
          KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
          KAFKA_SASL_MECHANISM: "PLAIN",
          KAFKA_SASL_USERNAME: "key",
          KAFKA_SASL_PASSWORD: Redacted.make("secret"),
        },
        read,
      ),
    ).toMatchObject({ kind: "security", security: { sasl: { mechanism: "PLAIN" }, tls: {} } });
  });

  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: "KERBEROS" }, /use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/],
    [
      { KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_USERNAME: "u" },
      /set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    ],
    [
      {
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_MECHANISM: "GSSAPI",
        KAFKA_SASL_USERNAME: "u",
        KAFKA_SASL_PASSWORD: Redacted.make("p"),
      },
      /KAFKA_SASL_MECHANISM/,
    ],
    [
      { KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: Redacted.make("p") },
      /set, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT: use SASL_SSL/,
    ],
    [{ KAFKA_SSL_CA_FILE: "/ca.pem" }, /use SSL or SASL_SSL/],
    [
      { KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CERT_FILE: "/c.pem" },
      /both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/,
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CA_FILE: "/missing.pem" },
      /KAFKA_SSL_CA_FILE: cannot read \/missing.pem/,
    ],
  ])("refuses %j, saying which variable and why", (vars, why) => {
    const decision = decideKafkaSecurity(vars, read);
    expect(decision.kind).toBe("invalid");
    expect(decision.kind === "invalid" && decision.problem).toMatch(why);
  });
});
