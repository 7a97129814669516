// The pipeline against a Kafka that takes only SASL_SSL (SCRAM-SHA-512, a CA of its own) and
// authorizes by ACL with allow.everyone.if.no.acl.found=false: each stage under its own principal with
// only the ACLs `topology acls` derives for it. A wrong password and a missing ACL each end the stage
// with one clear line instead of a hang.

import { readFileSync } from "node:fs";
import { createAdmin, type KafkaSecurity } from "@ledgerline/kafka";
import { sql } from "@ledgerline/ledger-db";
import {
  type Pipeline,
  runScript,
  ScriptedPipeline,
  startPipeline,
  ThrowawayBroker,
} from "@ledgerline/testkit";
import { applyAcls } from "@ledgerline/topology";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const USERS = {
  admin: "admin-secret",
  gateway: "gateway-secret",
  processor: "processor-secret",
  sink: "sink-secret",
  ops: "ops-secret",
  nobody: "nobody-secret",
};
const AUTH = { Authorization: "Bearer dev-key-change-me", "Content-Type": "application/json" };

describe("a SASL_SSL Kafka with ACLs per stage", () => {
  let broker: ThrowawayBroker;
  const security = (user: keyof typeof USERS, password = USERS[user]): KafkaSecurity => ({
    protocol: "SASL_SSL",
    sasl: { mechanism: "SCRAM-SHA-512", username: user, password: Redacted.make(password) },
    tls: { ca: readFileSync(broker.caFile) },
  });
  const principal = (user: string, password: string) => ({
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD: password,
  });
  const start = (
    label: string,
    apps: Parameters<typeof startPipeline>[1],
    appEnv: Record<string, Record<string, string>>,
  ) =>
    startPipeline(label, apps, {
      bootstrapServers: broker.bootstrap,
      kafkaSecurity: security("admin"),
      opsEndpoints: true,
      env: { KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SSL_CA_FILE: broker.caFile },
      appEnv,
      // The ACLs `topology acls` derives, granted before any stage starts; "nobody" gets none.
      beforeStart: async (namespace) => {
        const admin = createAdmin({
          bootstrapBrokers: [broker.bootstrap],
          clientId: "acl-admin",
          security: security("admin"),
        });
        try {
          await applyAcls(admin, namespace.names, {
            gateway: "User:gateway",
            processor: "User:processor",
            "ledger-sink": "User:sink",
            ops: "User:ops",
          });
        } finally {
          await admin.close();
        }
      },
    });
  /** Waits for the app to exit on its own; its output. */
  const exitOf = async (pipeline: Pipeline, app: "processor", timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (pipeline.exits().some((e) => e.app === app)) return pipeline.logs(app);
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${app} still running after ${timeoutMs} ms:\n${pipeline.logs(app).slice(-2000)}`);
  };

  beforeAll(async () => {
    broker = await ThrowawayBroker.create({ secure: { users: USERS } });
  }, 120_000);
  afterAll(() => broker?.destroy());

  it("posts every transaction end to end, each stage under its own principal", async () => {
    const pipeline = await start("sasl", undefined, {
      gateway: principal("gateway", USERS.gateway),
      processor: principal("processor", USERS.processor),
      "ledger-sink": principal("sink", USERS.sink),
    });
    try {
      await pipeline.awaitReady(90_000);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${pipeline.gatewayUrl}/v1/transactions`, {
          method: "POST",
          headers: AUTH,
          body: JSON.stringify({
            account_id: `ACC-${i}`,
            amount: "12.50",
            currency: "USD",
            merchant_name: "Secure Shop",
          }),
        });
        expect(response.status, await response.clone().text()).toBe(202);
        ids.push(((await response.json()) as { transaction_id: string }).transaction_id);
      }
      const deadline = Date.now() + 60_000;
      let posted = 0n;
      let unpublished = -1n;
      while (Date.now() < deadline) {
        posted = (await pipeline.database.pool.oneFirst(sql.unsafe`
          SELECT count(*) FROM transactions WHERE status = 'posted' AND transaction_id = ANY(${sql.array(ids, "uuid")})`)) as bigint;
        unpublished = (await pipeline.database.pool.oneFirst(
          sql.unsafe`SELECT count(*) FROM outbox`,
        )) as bigint;
        if (posted === 20n && unpublished === 0n) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      // Posted by the sink, and the outbox published by its relay, under their own ACLs.
      expect(
        { posted, unpublished },
        `processor:\n${pipeline.logs("processor").slice(-3000)}\nsink:\n${pipeline.logs("ledger-sink").slice(-3000)}`,
      ).toEqual({ posted: 20n, unpublished: 0n });
      expect(pipeline.exits()).toEqual([]);

      // The CLI under the ops principal reads the DLQ; under a principal without ACLs it says why.
      const cli = (user: keyof typeof USERS) =>
        runScript("tools/ledgerline/src/main.ts", ["dlq", "list"], {
          env: { ...pipeline.env, ...principal(user, USERS[user]) },
        });
      const ops = await cli("ops");
      expect(ops.code, ops.output).toBe(0);
      const nobody = await cli("nobody");
      expect(nobody.code, nobody.output).not.toBe(0);
      expect(nobody.output).toMatch(/authorization failed/i);
    } finally {
      await pipeline.stop();
    }
  }, 240_000);

  it("ends a stage with a wrong password at once, in one line that says to check its credentials", async () => {
    const pipeline = await start("sasl-pw", ["processor"], {
      processor: principal("processor", "wrong-password"),
    });
    try {
      const output = await exitOf(pipeline, "processor", 30_000);
      expect(output).toMatch(
        /processor: fatal Misconfigured: .*Fix: check the Kafka credentials of this stage/,
      );
    } finally {
      await pipeline.stop();
    }
  }, 120_000);

  it("ends a stage whose principal lacks an ACL, naming what it needs, instead of hanging", async () => {
    const pipeline = await start("sasl-acl", ["processor"], { processor: principal("nobody", USERS.nobody) });
    try {
      const output = await exitOf(pipeline, "processor", 30_000);
      expect(output).toMatch(
        /processor: fatal Misconfigured: .*authorization failed.*Fix: grant this stage.s principal/i,
      );
      expect(output).toMatch(/npm run topology -- acls/);
    } finally {
      await pipeline.stop();
    }
  }, 120_000);
});

describe("npm start with KAFKA_SECURITY_PROTOCOL=SASL_SSL and REGISTRY_BASIC_AUTH=true", () => {
  it("starts a SASL_SSL broker with a user and ACLs per principal and a registry behind basic auth, and the pipeline posts through them", async () => {
    const lines: string[] = [];
    const pipeline = await ScriptedPipeline.start({
      processors: 1,
      sinks: 1,
      processorDelivery: "exactly-once",
      env: { KAFKA_SECURITY_PROTOCOL: "SASL_SSL", REGISTRY_BASIC_AUTH: "true" },
      log: (line) => lines.push(line),
    });
    try {
      const security = `${pipeline.stateDir}/kafka/security`;
      // The broker takes only SASL_SSL, authorizes by ACL, and refuses what no ACL allows.
      const properties = readFileSync(`${pipeline.stateDir}/kafka/server.properties`, "utf8");
      expect(properties).toMatch(/^listeners=SASL_SSL:\/\//m);
      expect(properties).toContain("allow.everyone.if.no.acl.found=false");
      expect(readFileSync(`${security}/credentials.env`, "utf8")).toMatch(/^gateway=[0-9a-f]{32}$/m);
      // The registry refuses a client without the credentials.
      const registry = pipeline.env.SCHEMA_REGISTRY_URL as string;
      expect((await fetch(`${registry}/subjects`)).status).toBe(401);
      const response = await fetch(`${pipeline.gatewayUrl}/v1/transactions`, {
        method: "POST",
        headers: AUTH,
        body: JSON.stringify({ account_id: "ACC-1", amount: "3.00", currency: "USD", merchant_name: "Shop" }),
      });
      expect(response.status).toBe(202);
      const { transaction_id } = (await response.json()) as { transaction_id: string };
      const deadline = Date.now() + 60_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = (await fetch(`${pipeline.gatewayUrl}/v1/transactions/${transaction_id}`, { headers: AUTH }))
          .status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 300));
      }
      expect(status, lines.slice(-20).join("\n")).toBe(200);
      // Each app ran as its own principal: the admin user's password never reached them.
      for (const app of ["gateway", "processor", "ledger-sink"]) {
        const pid = pipeline.status().apps.find((a) => a.app === app)?.pid;
        const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
        expect(
          environ.some((v) => v.startsWith("KAFKA_SASL_PASSWORD=")),
          app,
        ).toBe(false);
      }
      const gatewayPid = pipeline.status().apps.find((a) => a.app === "gateway")?.pid;
      expect(readFileSync(`/proc/${gatewayPid}/environ`, "utf8").split("\0")).toContain(
        "GATEWAY_KAFKA_SASL_USERNAME=gateway",
      );
    } finally {
      await pipeline.stop();
    }
  }, 400_000);
});
