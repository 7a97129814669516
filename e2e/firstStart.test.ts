// Issue: on a brand-new broker the group coordinator is still creating and loading __consumer_offsets
// for the first seconds (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS), and the processor used to die
// at start. Five times: a broker whose storage was just formatted, the topology applied, the three
// stages started at once, one POST. It is posted within 30 s of the start, and no stage exited.
import { type Pipeline, startPipeline, ThrowawayBroker } from "@ledgerline/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { awaitInLedger, expectNoExits, sendTransactions } from "./faultSupport.ts";

const RUNS = 5;

describe("first start on a new broker", () => {
  let broker: ThrowawayBroker | undefined;
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.stop();
    await broker?.destroy();
    pipeline = undefined;
    broker = undefined;
  });

  it(`posts the first transaction within 30 s, ${RUNS} times in a row`, {
    timeout: RUNS * 90_000,
  }, async () => {
    const timings: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      broker = await ThrowawayBroker.create();
      pipeline = await startPipeline(`first${run}`, undefined, {
        bootstrapServers: broker.bootstrap,
        opsEndpoints: true,
      });
      const started = pipeline.startedAt;
      const load = sendTransactions(pipeline.gatewayUrl, 1, {
        label: `first${run}`,
        concurrency: 1,
        deadlineMs: 30_000,
      });
      await load.done;
      const ids = [...load.accepted.values()];
      await awaitInLedger(pipeline.database.pool, ids, 30_000 - (Date.now() - started), pipeline);
      timings.push(Date.now() - started);
      await pipeline.awaitReady(30_000);
      expectNoExits(pipeline);
      await pipeline.stop();
      await broker.destroy();
      pipeline = undefined;
      broker = undefined;
    }
    console.log(
      `first start on a new broker: first transaction in the ledger after ${timings.join(", ")} ms`,
    );
    expect(timings.every((ms) => ms < 30_000)).toBe(true);
  });
});
