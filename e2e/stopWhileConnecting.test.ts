// SIGTERM while Postgres cannot be reached yet. The gateway, the sink and the relay each wait for their
// first database connection, retrying; a SIGTERM then ends them at once with exit 0, as it does later.
// (It used to be ignored until a connection came: the retry ran where Effect cannot interrupt.)
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

const STAGES = {
  gateway: "apps/gateway/src/main.ts",
  "ledger-sink": "apps/ledger-sink/src/main.ts",
  "outbox-relay": "apps/ledger-sink/src/relay.ts",
} as const;

describe("SIGTERM before the first Postgres connection", () => {
  let ns: TestNamespace | undefined;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await ns?.cleanup();
  });

  it.each(Object.keys(STAGES) as (keyof typeof STAGES)[])("%s exits 0 at once", async (stage) => {
    ns ??= await createTestNamespace("stop-connecting");
    const environment = testEnvironment();
    // Nothing listens there: every connection attempt is refused, and the stage retries.
    const nowhere = `postgres://ledgerline:ledgerline@127.0.0.1:${await freePort()}/ledgerline`;
    let output = "";
    const child = spawn(process.execPath, [resolve(REPO_ROOT, STAGES[stage])], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        KAFKA_BOOTSTRAP_SERVERS: environment.bootstrapServers,
        SCHEMA_REGISTRY_URL: environment.registryUrl,
        LEDGERLINE_NAMESPACE: ns.namespace,
        DATABASE_URL: nowhere,
        GATEWAY_DATABASE_URL: nowhere,
        LEDGER_SINK_DATABASE_URL: nowhere,
        GATEWAY_PORT: String(await freePort()),
        LEDGER_SINK_METRICS_PORT: "0",
        LOG_LEVEL: "warn",
        LEDGERLINE_ENV: "development",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    const retrying = new Promise<void>((done) => {
      const watch = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        if (output.includes("connect to the ledger database")) done();
      };
      child.stdout?.on("data", watch);
      child.stderr?.on("data", watch);
    });
    const early = await Promise.race([
      retrying.then(() => undefined),
      exited.then((code) => `exited ${code} before retrying`),
      new Promise<string>((done) => setTimeout(() => done("no retry logged within 30 s"), 30_000)),
    ]);
    expect(early, output).toBeUndefined();

    const signalled = Date.now();
    child.kill("SIGTERM");
    const code = await Promise.race([
      exited,
      new Promise<string>((done) => setTimeout(() => done("still running 10 s after SIGTERM"), 10_000)),
    ]);
    expect(code, output).toBe(0);
    console.log(`${stage}: exited ${Date.now() - signalled} ms after SIGTERM while connecting`);
  });
});
