// Postgres "restarts" mid-stream: every backend of the sink is terminated (pg_terminate_backend, the
// same errors a restart produces: 57P01 / connection lost) again and again while records flow. The
// sink waits, retries the whole batch and continues; nothing is lost or doubled. (Restarting the
// shared server would disturb other suites, so the restart is simulated per connection.)
import { sql } from "@ledgerline/ledger-db";
import { describe, expect, it } from "vitest";
import { payments, produceSlowly, sinkSuite } from "./faultRun.ts";
import { assertLedgerInvariants, caughtUp, postedTopic, sleep, startSink, waitFor } from "./helpers.ts";

describe("ledger sink across Postgres connection loss", () => {
  const suite = sinkSuite("sinkpg");

  it("retries through terminated connections without losing or doubling anything", {
    timeout: 90_000,
  }, async () => {
    const { ns, db } = suite;
    const appName = `sink-${ns.namespace}`.slice(0, 60);
    const url = `${db.url}&application_name=${encodeURIComponent(appName)}`;
    const sink = startSink(ns, url, { relay: true, batchSize: 100 });
    const records = payments(2_000, { accounts: 17, firstAmount: 1 });
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
      await produceSlowly(ns, records, { chunk: 250, repeats: 0, pauseMs: 250 }).done;
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
