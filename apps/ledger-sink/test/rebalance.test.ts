// Several sink instances on one group: partitions move between them as instances start, die and join.
// Each instance reads a newly assigned partition from the position Postgres stores for it, so after two
// instances, a SIGKILL, a restart and a third instance joining mid-run, every record is in the ledger
// exactly once and the stored positions are the end of the input.
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

const RECORDS = 6_000;

describe("ledger sink with several instances", () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  beforeAll(async () => {
    [ns, db] = await Promise.all([
      createTestNamespace("sinkgroup", { only: ["validated", "rejected", "dlq", "posted"] }),
      createTestDatabase("sinkgroup"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ns?.cleanup(), db?.cleanup()]);
  });

  it("two, then three instances with a SIGKILL and a restart: exactly once, positions at the end", {
    timeout: 180_000,
  }, async () => {
    const env = (instance: string) => ({
      LEDGERLINE_NAMESPACE: ns.namespace,
      DATABASE_URL: db.url,
      LEDGER_SINK_BATCH_SIZE: "250",
      LEDGER_SINK_INSTANCE_ID: instance,
      OUTBOX_RELAY_ENABLED: "true",
      OUTBOX_RELAY_POLL_MS: "200",
    });
    const records = Array.from({ length: RECORDS }, (_, i) =>
      validated({
        account_id: `ACC-${i % 41}`,
        amount_minor: BigInt(1 + i),
        base_amount_minor: BigInt(1 + i),
        merchant_name: `M${i % 13}`,
      }),
    );
    let produced = false;
    const producing = (async () => {
      for (let i = 0; i < records.length; i += 400) {
        const chunk = records.slice(i, i + 400);
        // Some records twice, as an at-least-once upstream would.
        await produce(
          ns,
          [...chunk, ...chunk.slice(0, 5)].map((value) => ({
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
    const progressed = async (from: bigint) =>
      waitFor("progress", async () => (await applied()) > from || produced, 30_000).catch(() => undefined);

    const a = await spawnApp("main.ts", env("a"));
    const b = await spawnApp("main.ts", env("b"));
    await progressed(0n);
    await sleep(1_500);
    await b.kill("SIGKILL"); // its partitions move to a
    await progressed(await applied());
    const b2 = await spawnApp("main.ts", env("b")); // back: partitions move again
    await progressed(await applied());
    await sleep(1_500);
    const c = await spawnApp("main.ts", env("c")); // a third joins mid-run
    await progressed(await applied());
    await sleep(1_500);
    await a.kill("SIGKILL"); // and the first dies for good
    await producing;
    try {
      await waitFor("every record applied", () => caughtUp(db.pool, ns, ["validated"]), 90_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nb2: ${b2.stderr()}\nc: ${c.stderr()}`);
    }
    // A's partitions go to the live instances once its session expires (static members wait for that).
    const holders = async () =>
      (await db.pool.anyFirst(
        sql.unsafe`SELECT DISTINCT instance_id FROM sink_assignments ORDER BY 1`,
      )) as string[];
    await waitFor("a's partitions taken over", async () => !(await holders()).includes("a"), 45_000);
    await Promise.all([b2.kill("SIGTERM"), c.kill("SIGTERM")]);

    await assertLedgerInvariants(
      db.pool,
      records.map((r) => r.transaction_id),
      expect,
      postedTopic(ns),
    );
    const [ends, stored] = await Promise.all([endOffsets(ns, ["validated"]), storedOffsets(db.pool, ns)]);
    for (const [topic, partitions] of ends) {
      partitions.forEach((end, partition) => {
        expect(stored.get(`${topic}:${partition}`) ?? 0n, `${topic}[${partition}]`).toBe(end);
      });
    }
    expect(await holders()).toEqual(["b", "c"]);
  });
});
