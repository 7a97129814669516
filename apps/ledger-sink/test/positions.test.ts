// Postgres is the only truth for where the sink reads. Three ways a ledger and a Kafka cluster stop
// agreeing, each of which used to lose records silently: a new Kafka behind an old ledger, a ledger
// restored from an earlier dump, and records deleted by retention before the sink applied them.

import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { names } from "@ledgerline/catalogue";
import { createAdmin } from "@ledgerline/kafka";
import { sql } from "@ledgerline/ledger-db";
import { metricsText } from "@ledgerline/observability";
import {
  createTestDatabase,
  createTestNamespace,
  type TestDatabase,
  type TestNamespace,
  ThrowawayBroker,
  testEnvironment,
} from "@ledgerline/testkit";
import { applyTopology, connectAdmin, connectRegistry } from "@ledgerline/topology";
import { Redacted } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import {
  caughtUp,
  connection,
  produce,
  runOpsCli,
  type Services,
  sleep,
  startSink,
  validated,
  waitFor,
} from "./helpers.ts";

const run = promisify(execFile);
const PG_BIN = "/usr/lib/postgresql/15/bin";

const records = (n: number, account = (i: number) => `ACC-${i % 7}`) =>
  Array.from({ length: n }, (_, i) =>
    validated({ account_id: account(i), amount_minor: BigInt(i + 1), base_amount_minor: BigInt(i + 1) }),
  );
const asValidated = (values: ReturnType<typeof validated>[]) =>
  values.map((value) => ({ topicId: "validated" as const, key: value.account_id, value }));
const postedCount = async (db: TestDatabase) =>
  (await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM transactions`)) as bigint;
const cliEnv = (ns: TestNamespace, db: TestDatabase, services: Services = testEnvironment()) => ({
  KAFKA_BOOTSTRAP_SERVERS: services.bootstrapServers,
  SCHEMA_REGISTRY_URL: services.registryUrl,
  DATABASE_URL: db.url,
  LEDGERLINE_NAMESPACE: ns.namespace,
});

describe("ledger sink positions", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it("a new Kafka behind an old ledger: the partition stops with a clear error, then reads the new topic from its start once accepted", {
    timeout: 180_000,
  }, async () => {
    const db = await createTestDatabase("newkafka");
    cleanups.push(() => db.cleanup());
    // Cluster one: the ledger applies 40 records and stores their positions.
    const first = await ThrowawayBroker.create();
    cleanups.push(() => first.destroy());
    const firstServices = { bootstrapServers: first.bootstrap, registryUrl: testEnvironment().registryUrl };
    const ns = await createTestNamespace("newkafka", {
      only: ["validated", "rejected", "dlq", "posted"],
      environment: firstServices,
    });
    await produce(ns, asValidated(records(40)), firstServices);
    const sinkOne = startSink(ns, db.url, { services: firstServices });
    await waitFor(
      "the first cluster applied",
      () => caughtUp(db.pool, ns, ["validated"], firstServices),
      60_000,
      sinkOne.assertAlive,
    );
    await sinkOne.stop();
    await first.destroy();

    // Cluster two (a second clone's, or a restore onto new hardware): same topic names, other topic ids.
    const second = await ThrowawayBroker.create();
    cleanups.push(() => second.destroy());
    const secondServices = { bootstrapServers: second.bootstrap, registryUrl: testEnvironment().registryUrl };
    await provisionNamespaceAt(ns.namespace, secondServices);
    const fresh = records(12);
    await produce(ns, asValidated(fresh), secondServices);
    const sinkTwo = startSink(ns, db.url, { services: secondServices, blockedRecheckMs: 500 });
    cleanups.push(() => sinkTwo.stop());
    await sleep(4_000);
    // Nothing was skipped silently: the partitions whose positions belong to cluster one are blocked.
    const blocked = (await metricsText())
      .split("\n")
      .filter((line) => line.startsWith("ledgerline_sink_partition_blocked{"));
    expect(blocked.some((line) => line.includes('reason="OtherTopic"') && line.endsWith(" 1"))).toBe(true);
    const positions = await runOpsCli(["sink", "positions"], cliEnv(ns, db, secondServices));
    expect(positions.stdout).toContain("BLOCKED OtherTopic");
    expect(positions.stdout).toMatch(/another Kafka cluster behind this ledger/);

    const accepted = await runOpsCli(
      ["sink", "accept-topic", "--topic", "validated", "--reason", "moved to the new cluster"],
      cliEnv(ns, db, secondServices),
    );
    expect(accepted.code, accepted.stderr).toBe(0);
    await waitFor(
      "every record of the new cluster applied",
      async () => (await postedCount(db)) === 52n,
      60_000,
      sinkTwo.assertAlive,
    );
    const decisions = await db.pool.any(sql.unsafe`SELECT kind, reason FROM sink_position_decisions`);
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.every((d) => (d as { kind: string }).kind === "accept_topic")).toBe(true);
  });

  it("a ledger restored from an earlier dump re-applies what the dump lacks, without gap or duplicate", {
    timeout: 120_000,
  }, async () => {
    const [ns, db] = await Promise.all([
      createTestNamespace("restore", { only: ["validated", "rejected", "dlq", "posted"] }),
      createTestDatabase("restore"),
    ]);
    cleanups.push(
      () => ns.cleanup(),
      () => db.cleanup(),
    );
    const before = records(300);
    const after = records(300);
    await produce(ns, asValidated(before));
    let sink = startSink(ns, db.url);
    await waitFor("the first 300", async () => (await postedCount(db)) === 300n, 60_000, sink.assertAlive);
    const base = new URL(db.url);
    const pgEnv = {
      ...process.env,
      PGHOST: base.hostname,
      PGPORT: base.port,
      PGUSER: decodeURIComponent(base.username),
      PGPASSWORD: decodeURIComponent(base.password),
      PGDATABASE: base.pathname.slice(1),
    };
    const dump = (
      await run(`${PG_BIN}/pg_dump`, ["--schema", db.schema, "--no-owner", "--no-privileges"], {
        env: pgEnv,
        maxBuffer: 64 * 1024 * 1024,
      })
    ).stdout;
    await produce(ns, asValidated(after));
    await waitFor("the next 300", async () => (await postedCount(db)) === 600n, 60_000, sink.assertAlive);
    await sink.stop();
    // Restore: the ledger is back at 300, while Kafka's committed offsets for the group say 600.
    await db.pool.query(sql.unsafe`DROP SCHEMA ${sql.identifier([db.schema])} CASCADE`);
    await restore(dump, pgEnv);
    expect(await postedCount(db)).toBe(300n);
    sink = startSink(ns, db.url);
    cleanups.push(() => sink.stop());
    await waitFor(
      "the ledger re-applied the 300 the dump lacked",
      async () => (await postedCount(db)) === 600n,
      60_000,
      sink.assertAlive,
    );
    await sleep(1_000);
    const ids = [...before, ...after].map((r) => r.transaction_id);
    const rows = (await db.pool.oneFirst(sql.unsafe`
      SELECT count(DISTINCT transaction_id) FROM transactions WHERE transaction_id = ANY(${sql.array(ids, "uuid")})`)) as bigint;
    expect(rows).toBe(600n);
    expect(await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM postings`)).toBe(1_200n);
  });

  it("records deleted by retention before they were applied stop the partition until an operator skips the gap", {
    timeout: 120_000,
  }, async () => {
    const [ns, db] = await Promise.all([
      createTestNamespace("gap", { only: ["validated", "rejected", "dlq", "posted"] }),
      createTestDatabase("gap"),
    ]);
    cleanups.push(
      () => ns.cleanup(),
      () => db.cleanup(),
    );
    const one = () => "ACC-GAP"; // one key: one partition
    await produce(ns, asValidated(records(50, one)));
    const first = startSink(ns, db.url);
    await waitFor("50 applied", async () => (await postedCount(db)) === 50n, 60_000, first.assertAlive);
    await first.stop();
    await produce(ns, asValidated(records(50, one)));
    // Retention deletes offsets 50..79 before the sink applied them.
    const partition = (await db.pool.oneFirst(
      sql.unsafe`SELECT partition FROM consumer_offsets WHERE next_offset > 0 LIMIT 1`,
    )) as number;
    const admin = createAdmin(connection(`${ns.namespace}-admin`));
    try {
      await admin.deleteRecords({
        topics: [{ name: ns.names.topic("validated"), partitions: [{ partition, offset: 80n }] }],
      });
    } finally {
      await admin.close();
    }
    const sink = startSink(ns, db.url, { blockedRecheckMs: 500 });
    cleanups.push(() => sink.stop());
    await sleep(4_000);
    expect(await postedCount(db)).toBe(50n); // nothing skipped silently
    const blocked = (await metricsText())
      .split("\n")
      .filter((l) => l.startsWith("ledgerline_sink_partition_blocked{"));
    expect(blocked.some((l) => l.includes('reason="RetentionGap"') && l.endsWith(" 1"))).toBe(true);
    const positions = await runOpsCli(["sink", "positions"], cliEnv(ns, db));
    expect(positions.stdout).toContain("offsets 50 to 79 were deleted before the ledger applied them");

    const skipped = await runOpsCli(
      [
        "sink",
        "skip-gap",
        "--topic",
        "validated",
        "--partition",
        String(partition),
        "--reason",
        "lost to retention; re-sent by upstream",
      ],
      cliEnv(ns, db),
    );
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toContain("skipped offsets 50 to 79");
    await waitFor(
      "the 20 retained records applied",
      async () => (await postedCount(db)) === 70n,
      60_000,
      sink.assertAlive,
    );
    expect(
      await db.pool.one(sql.unsafe`SELECT kind, from_offset, to_offset, reason FROM sink_position_decisions`),
    ).toMatchObject({
      kind: "skip_gap",
      from_offset: 50n,
      to_offset: 80n,
      reason: "lost to retention; re-sent by upstream",
    });
  });
});

/** psql reading the dump on stdin (too large for an argument). */
const restore = (dump: string, env: NodeJS.ProcessEnv) =>
  new Promise<void>((resolve, reject) => {
    const psql = spawn(`${PG_BIN}/psql`, ["-v", "ON_ERROR_STOP=1", "-q"], {
      env,
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    psql.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    psql.once("error", reject);
    psql.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${stderr}`)),
    );
    psql.stdin.end(dump);
  });

/** The same namespace's topics and subjects on another broker. */
const provisionNamespaceAt = async (namespace: string, services: Services) => {
  const environment = { ...services, registryUrl: Redacted.make(services.registryUrl), namespace };
  const admin = await connectAdmin(environment);
  try {
    await applyTopology({
      admin,
      registry: await connectRegistry(environment),
      names: names(namespace),
      only: ["validated", "rejected", "dlq", "posted"],
    });
  } finally {
    await admin.close();
  }
};
