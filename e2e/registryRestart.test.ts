// The schema registry stopped for 20 s under load, then started again (a throwaway registry: the
// shared one serves the other tests). The stages keep working from cached schemas; nothing is
// dead-lettered because of the outage, everything is posted, and no stage process exited.
import { sql } from "@ledgerline/ledger-db";
import { ThrowawayRegistry } from "@ledgerline/testkit";
import { describe, expect, it } from "vitest";
import { expectRecovered, pipelineOnThrowaway, sendTransactions, untilAccepted } from "./faultSupport.ts";

const COUNT = 2_000;

describe("schema registry restart", () => {
  const suite = pipelineOnThrowaway(
    "regkill",
    () => ThrowawayRegistry.create(),
    (registry) => ({
      registryUrl: registry.url,
    }),
  );

  it("dead-letters nothing, posts everything, and no stage exits", { timeout: 300_000 }, async () => {
    const { service: registry, pipeline } = suite;
    const load = sendTransactions(pipeline.gatewayUrl, COUNT, {
      label: "regkill",
      concurrency: 10,
      spacingMs: 40,
    });
    await untilAccepted(load, COUNT / 4);
    await registry.stop();
    const stoppedAt = load.accepted.size;
    await new Promise((r) => setTimeout(r, 20_000));
    const duringOutage = load.accepted.size - stoppedAt;
    await registry.start();
    await expectRecovered(pipeline, load, COUNT);
    const deadLettered = await pipeline.database.pool.oneFirst(
      sql.unsafe`SELECT count(*) FROM transactions WHERE status <> 'posted'`,
    );
    expect(deadLettered).toBe(0n);
    console.log(
      `registry restart: ${duringOutage} accepted during the 20 s outage; ${load.retries} client retries`,
    );
  });
});
