// SIGTERM under load: the gateway stops accepting, flushes the produces in flight, exits 0, and every
// request it answered 202 is on transactions.requested. Runs the real process (main.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import {
  createTestNamespace,
  freePort,
  REPO_ROOT,
  type TestNamespace,
  testEnvironment,
} from "@ledgerline/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { JSON_HEADERS, readRequested, SEED } from "./harness.ts";

describe("graceful shutdown", () => {
  let ns: TestNamespace | undefined;
  let gateway: ChildProcess | undefined;
  afterAll(async () => {
    gateway?.kill("SIGKILL");
    await ns?.cleanup();
  });

  it("on SIGTERM answers what is in flight, loses nothing it acknowledged, and exits 0", async () => {
    ns = await createTestNamespace("gw-sigterm");
    const port = await freePort();
    const environment = testEnvironment();
    let output = "";
    gateway = spawn(process.execPath, [resolve(REPO_ROOT, "apps/gateway/src/main.ts")], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        KAFKA_BOOTSTRAP_SERVERS: environment.bootstrapServers,
        SCHEMA_REGISTRY_URL: environment.registryUrl,
        LEDGERLINE_NAMESPACE: ns.namespace,
        GATEWAY_PORT: String(port),
        GATEWAY_RATE_LIMIT_PER_SECOND: "100000",
        GATEWAY_RATE_LIMIT_BURST: "100000",
        LOG_LEVEL: "warn",
        LEDGERLINE_ENV: "development",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    gateway.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    gateway.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((done) => gateway?.once("exit", (code) => done(code)));
    const base = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      try {
        await fetch(`${base}/livez`);
        break;
      } catch (error) {
        if (tries > 150) throw new Error(`gateway did not start: ${output}`, { cause: error });
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    // 20 clients post in a loop until the gateway goes away.
    const accepted: string[] = [];
    const refusals: number[] = [];
    let sent = 0;
    const client = async (client: number) => {
      for (;;) {
        let response: Response;
        try {
          response = await fetch(`${base}/v1/transactions`, {
            method: "POST",
            headers: JSON_HEADERS,
            body: JSON.stringify({ ...SEED, account_id: `ACC-${client}`, amount: `${++sent}.00` }),
          });
        } catch {
          return; // connection refused or closed: the gateway has stopped accepting
        }
        const body = (await response.json()) as { transaction_id?: string };
        if (response.status === 202 && body.transaction_id) accepted.push(body.transaction_id);
        else refusals.push(response.status);
      }
    };
    const clients = Promise.all(Array.from({ length: 20 }, (_, i) => client(i)));
    while (accepted.length < 200) await new Promise((r) => setTimeout(r, 20));
    gateway.kill("SIGTERM");

    expect(await exited, output).toBe(0);
    await clients;
    // Requests that reached it while draining are refused as retryable, never failed otherwise.
    expect(refusals.every((status) => status === 503)).toBe(true);
    const wanted = new Set(accepted);
    const records = await readRequested(ns, (seen) => {
      for (const record of seen) wanted.delete(record.value.transaction_id);
      return wanted.size === 0;
    });
    expect(wanted.size, `${wanted.size} acknowledged records missing`).toBe(0);
    expect(records.length).toBeGreaterThanOrEqual(accepted.length);
  }, 90_000);
});
