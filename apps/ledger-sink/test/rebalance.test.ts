// Several sink instances on one group: partitions move between them as instances start, die and join.
// Each instance reads a newly assigned partition from the position Postgres stores for it, so after two
// instances, a SIGKILL, a restart and a third instance joining mid-run, every record is in the ledger
// exactly once and the stored positions are the end of the input.
import { sql } from "@ledgerline/ledger-db";
import { describe, expect, it } from "vitest";
import { appliedCount, expectAppliedOnce, payments, produceSlowly, sinkSuite } from "./faultRun.ts";
import { caughtUp, sleep, spawnApp, waitFor } from "./helpers.ts";

const RECORDS = 6_000;

describe("ledger sink with several instances", () => {
  const suite = sinkSuite("sinkgroup");

  it("two, then three instances with a SIGKILL and a restart: exactly once, positions at the end", {
    timeout: 180_000,
  }, async () => {
    const { ns, db } = suite;
    const env = (instance: string) => ({
      LEDGERLINE_NAMESPACE: ns.namespace,
      DATABASE_URL: db.url,
      LEDGER_SINK_BATCH_SIZE: "250",
      LEDGER_SINK_INSTANCE_ID: instance,
      OUTBOX_RELAY_ENABLED: "true",
      OUTBOX_RELAY_POLL_MS: "200",
    });
    const records = payments(RECORDS, { accounts: 41, merchants: 13, firstAmount: 1 });
    // Some records twice, as an at-least-once upstream would.
    const producing = produceSlowly(ns, records, { chunk: 400, repeats: 5, pauseMs: 600 });
    const applied = () => appliedCount(db.pool);
    const progressed = async (from: bigint) =>
      waitFor("progress", async () => (await applied()) > from || producing.finished(), 30_000).catch(
        () => undefined,
      );

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
    await producing.done;
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

    await expectAppliedOnce(db.pool, ns, records);
    expect(await holders()).toEqual(["b", "c"]);
  });
});
