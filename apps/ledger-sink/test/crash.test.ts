// SIGKILL the sink (a child process) at random moments while records flow; after a final restart
// every invariant of the ledger holds and the stored offsets equal the end of the input.
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
  endOffsets,
  postedTopic,
  produce,
  sleep,
  spawnApp,
  storedOffsets,
  validated,
  waitFor,
} from "./helpers.ts";

const RECORDS = 3_000;
const KILLS = 4;

describe("ledger sink crash recovery", () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  beforeAll(async () => {
    [ns, db] = await Promise.all([
      createTestNamespace("sinkcrash", { only: ["validated", "rejected", "dlq", "posted"] }),
      createTestDatabase("sinkcrash"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ns?.cleanup(), db?.cleanup()]);
  });

  it("applies every record exactly once across repeated SIGKILLs", { timeout: 90_000 }, async () => {
    const env = {
      LEDGERLINE_NAMESPACE: ns.namespace,
      DATABASE_URL: db.url,
      LEDGER_SINK_BATCH_SIZE: "200",
      OUTBOX_RELAY_ENABLED: "false",
    };
    const records = Array.from({ length: RECORDS }, (_, i) =>
      validated({
        account_id: `ACC-${i % 37}`,
        amount_minor: BigInt(100 + i),
        base_amount_minor: BigInt(100 + i),
        merchant_name: `M${i % 11}`,
      }),
    );
    // Producer writes in chunks (with some at-least-once repeats) while the sink is killed and restarted.
    // Slow enough that every kill lands while records still arrive (a sink drains 3,000 in about a second).
    let produced = false;
    const producing = (async () => {
      for (let i = 0; i < records.length; i += 300) {
        const chunk = records.slice(i, i + 300);
        await produce(
          ns,
          [...chunk, ...chunk.slice(0, 10)].map((value) => ({
            topicId: "validated" as const,
            key: value.account_id,
            value,
          })),
        );
        await sleep(600);
      }
      produced = true;
    })();
    const applied = async () =>
      (await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM transactions`)) as bigint;
    for (let kill = 0; kill < KILLS; kill++) {
      const sink = await spawnApp("main.ts", env);
      // Kill at a random moment once this instance is writing (start-up time varies with load).
      const before = await applied();
      await waitFor(
        "the sink to make progress",
        async () => (await applied()) > before || produced || sink.child.exitCode !== null,
        30_000,
      ).catch(() => undefined);
      await sleep(Math.random() * 800);
      await sink.kill("SIGKILL");
    }
    await producing;
    // The killed sinks made real progress (the kills landed mid-stream, not before the first batch).
    const before = (await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM transactions`)) as bigint;
    expect(before).toBeGreaterThan(0n);
    const final = await spawnApp("main.ts", env);
    try {
      await waitFor("sink to catch up", () => caughtUp(db.pool, ns, ["validated"]), 45_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}; sink stderr: ${final.stderr()}`);
    } finally {
      await final.kill("SIGTERM");
    }
    await assertLedgerInvariants(
      db.pool,
      records.map((r) => r.transaction_id),
      expect,
      postedTopic(ns),
    );
    const [ends, stored] = await Promise.all([endOffsets(ns, ["validated"]), storedOffsets(db.pool, ns)]);
    for (const [topic, partitions] of ends) {
      partitions.forEach((end, partition) => {
        expect(stored.get(`${topic}:${partition}`) ?? 0n).toBe(end);
      });
    }
  });
});
