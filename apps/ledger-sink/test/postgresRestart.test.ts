// Postgres "restarts" mid-stream: every backend of the sink is terminated (pg_terminate_backend, the
// same errors a restart produces: 57P01 / connection lost) again and again while records flow. The
// sink waits, retries the whole batch and continues; nothing is lost or doubled. (Restarting the
// shared server would disturb other suites, so the restart is simulated per connection.)
import { sql } from "@ledgerline/ledger-db";
import {
  createTestDatabase,
  createTestNamespace,
  type TestDatabase,
  type TestNamespace,
} from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertLedgerInvariants,
  caughtUp,
  postedTopic,
  produce,
  sleep,
  startSink,
  validated,
  waitFor,
} from "./helpers.ts";

describe("ledger sink across Postgres connection loss", () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  beforeAll(async () => {
    [ns, db] = await Promise.all([
      createTestNamespace("sinkpg", { only: ["validated", "rejected", "dlq", "posted"] }),
      createTestDatabase("sinkpg"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ns?.cleanup(), db?.cleanup()]);
  });

  it("retries through terminated connections without losing or doubling anything", {
    timeout: 90_000,
  }, async () => {
    const appName = `sink-${ns.namespace}`.slice(0, 60);
    const url = `${db.url}&application_name=${encodeURIComponent(appName)}`;
    const sink = startSink(ns, url, { relay: true, batchSize: 100 });
    const records = Array.from({ length: 2_000 }, (_, i) =>
      validated({
        account_id: `ACC-${i % 17}`,
        amount_minor: BigInt(i + 1),
        base_amount_minor: BigInt(i + 1),
      }),
    );
    let terminated = 0;
    let stop = false;
    const killer = (async () => {
      while (!stop) {
        const killed = await db.pool.anyFirst(sql.unsafe`
          SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = ${appName} AND pid <> pg_backend_pid()`);
        terminated += killed.length;
        await sleep(300 + Math.random() * 500);
      }
    })();
    try {
      for (let i = 0; i < records.length; i += 250) {
        const chunk = records.slice(i, i + 250);
        await produce(
          ns,
          chunk.map((value) => ({ topicId: "validated" as const, key: value.account_id, value })),
        );
        await sleep(250);
      }
      await sleep(1_000);
      stop = true;
      await killer;
      await waitFor("sink to catch up", () => caughtUp(db.pool, ns, ["validated"]), 60_000, sink.assertAlive);
      await waitFor(
        "relay to drain",
        async () => ((await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)) as bigint) === 0n,
        30_000,
        sink.assertAlive,
      );
    } finally {
      stop = true;
      await sink.stop();
    }
    expect(terminated).toBeGreaterThan(3);
    await assertLedgerInvariants(
      db.pool,
      records.map((r) => r.transaction_id),
      expect,
      postedTopic(ns),
    );
  });
});
