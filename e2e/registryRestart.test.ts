// The schema registry stopped for 20 s under load, then started again (a throwaway registry: the
// shared one serves the other tests). The stages keep working from cached schemas; nothing is
// dead-lettered because of the outage, everything is posted, and no stage process exited.
import { sql } from "@ledgerline/ledger-db";
import { assertLedgerInvariants, type Pipeline, startPipeline, ThrowawayRegistry } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awaitInLedger, awaitOutboxDrained, expectNoExits, sendTransactions } from "./faultSupport.ts";

const COUNT = 2_000;

describe("schema registry restart", () => {
  let registry: ThrowawayRegistry;
  let pipeline: Pipeline;
  beforeAll(async () => {
    registry = await ThrowawayRegistry.create();
    pipeline = await startPipeline("regkill", undefined, { registryUrl: registry.url, opsEndpoints: true });
    await pipeline.awaitReady(60_000);
  }, 180_000);
  afterAll(async () => {
    await pipeline?.stop();
    await registry?.destroy();
  });

  it("dead-letters nothing, posts everything, and no stage exits", { timeout: 300_000 }, async () => {
    const load = sendTransactions(pipeline.gatewayUrl, COUNT, {
      label: "regkill",
      concurrency: 10,
      spacingMs: 40,
    });
    while (load.accepted.size < COUNT / 4) await new Promise((r) => setTimeout(r, 100));
    await registry.stop();
    const stoppedAt = load.accepted.size;
    await new Promise((r) => setTimeout(r, 20_000));
    const duringOutage = load.accepted.size - stoppedAt;
    await registry.start();
    await load.done;
    const ids = [...new Set(load.accepted.values())];
    expect(ids.length).toBe(COUNT);
    await awaitInLedger(pipeline.database.pool, ids, 120_000, pipeline);
    await awaitOutboxDrained(pipeline.database.pool, 60_000);
    const deadLettered = await pipeline.database.pool.oneFirst(
      sql.unsafe`SELECT count(*) FROM transactions WHERE status <> 'posted'`,
    );
    expect(deadLettered).toBe(0n);
    await pipeline.awaitReady(60_000);
    expectNoExits(pipeline);
    await assertLedgerInvariants(pipeline.database.pool, ids, expect, pipeline.posted);
    console.log(
      `registry restart: ${duringOutage} accepted during the 20 s outage; ${load.retries} client retries`,
    );
  });
});
