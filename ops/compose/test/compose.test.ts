import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../../..");
// Compose files use YAML merge keys (<<: *anchor), which YAML 1.2 parsers resolve only when asked.
const compose = parse(readFileSync(resolve(root, "ops/compose/compose.yaml"), "utf8"), { merge: true }) as {
  services: Record<
    string,
    {
      environment?: Record<string, string>;
      image?: string;
      build?: unknown;
      restart?: string;
      healthcheck?: { test: string[] };
    }
  >;
};
const envExample = new Set(
  readFileSync(resolve(root, ".env.example"), "utf8")
    .split("\n")
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined),
);
const apps = ["gateway", "processor", "ledger-sink", "setup"];

describe("ops/compose/compose.yaml", () => {
  it("runs Kafka, Apicurio and Postgres from official images and builds the apps", () => {
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services.registry?.image).toMatch(/^apicurio\/apicurio-registry:3\.3\./);
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    for (const app of apps) expect(compose.services[app]?.build, app).toBeDefined();
  });

  it("configures the apps with the native stack's environment variable names", () => {
    for (const app of apps) {
      const names = Object.keys(compose.services[app]?.environment ?? {});
      expect(names.length, app).toBeGreaterThan(0);
      for (const name of names) expect(envExample, `${app}: ${name} is not in .env.example`).toContain(name);
    }
    for (const core of ["KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL", "DATABASE_URL"]) {
      expect(Object.keys(compose.services.gateway?.environment ?? {})).toContain(core);
    }
  });

  it("runs no app as the Postgres superuser: each logs in as its own runtime role", () => {
    const superuser = compose.services.postgres?.environment?.POSTGRES_USER;
    const userOf = (url: string | undefined) => (url ? new URL(url).username : undefined);
    expect(userOf(compose.services.gateway?.environment?.GATEWAY_DATABASE_URL)).toBe("ledgerline_gateway");
    expect(userOf(compose.services["ledger-sink"]?.environment?.LEDGER_SINK_DATABASE_URL)).toBe(
      "ledgerline_sink",
    );
    for (const app of apps) {
      for (const [name, value] of Object.entries(compose.services[app]?.environment ?? {}))
        if (name.endsWith("DATABASE_URL")) expect(userOf(value), `${app} ${name}`).not.toBe(superuser);
    }
  });

  it("restarts every stage that exits, and checks its readiness", () => {
    for (const app of ["gateway", "processor", "ledger-sink"]) {
      expect(compose.services[app]?.restart, app).toBe("unless-stopped");
      expect(compose.services[app]?.healthcheck?.test.join(" "), app).toContain("/ready");
    }
  });
});
