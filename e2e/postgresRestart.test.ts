// A real `pg_ctl restart -m immediate` of the ledger's Postgres while the sink and the outbox relay
// work (a throwaway cluster: the shared one serves the other tests). Everything is posted exactly
// once, the outbox drains, every invariant holds, and no stage process exited.
import { assertLedgerInvariants, type Pipeline, startPipeline, ThrowawayPostgres } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awaitInLedger, awaitOutboxDrained, expectNoExits, sendTransactions } from "./faultSupport.ts";

const COUNT = 2_000;

describe("Postgres restart (immediate)", () => {
  let postgres: ThrowawayPostgres;
  let pipeline: Pipeline;
  beforeAll(async () => {
    postgres = await ThrowawayPostgres.create();
    pipeline = await startPipeline("pgkill", undefined, { databaseUrl: postgres.url(), opsEndpoints: true });
    await pipeline.awaitReady(60_000);
  }, 180_000);
  afterAll(async () => {
    await pipeline?.stop();
    await postgres?.destroy();
  });

  it("posts everything once, drains the outbox, and no stage exits", { timeout: 300_000 }, async () => {
    const load = sendTransactions(pipeline.gatewayUrl, COUNT, {
      label: "pgkill",
      concurrency: 10,
      spacingMs: 20,
    });
    const restarts: number[] = [];
    for (const fraction of [0.3, 0.6]) {
      while (load.accepted.size < COUNT * fraction) await new Promise((r) => setTimeout(r, 100));
      await postgres.restartImmediate();
      restarts.push(load.accepted.size);
    }
    await load.done;
    const ids = [...new Set(load.accepted.values())];
    expect(ids.length).toBe(COUNT);
    await awaitInLedger(pipeline.database.pool, ids, 120_000, pipeline);
    await awaitOutboxDrained(pipeline.database.pool, 60_000);
    await pipeline.awaitReady(60_000);
    expectNoExits(pipeline);
    await assertLedgerInvariants(pipeline.database.pool, ids, expect, pipeline.posted);
    console.log(
      `postgres restart: restarted after ${restarts.join(" and ")} accepted; ${load.retries} client retries`,
    );
  });
});
