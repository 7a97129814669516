// SIGKILL of the Kafka broker while 2,000 transactions flow, then a restart a few seconds later.
// Clients retry with the same Idempotency-Key while the gateway answers 503. Every accepted
// transaction is posted exactly once, every ledger invariant holds, and no stage process exited.
import { assertLedgerInvariants, type Pipeline, startPipeline, ThrowawayBroker } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awaitInLedger, awaitOutboxDrained, expectNoExits, sendTransactions } from "./faultSupport.ts";

const COUNT = 2_000;

describe("Kafka broker restart", () => {
  let broker: ThrowawayBroker;
  let pipeline: Pipeline;
  beforeAll(async () => {
    broker = await ThrowawayBroker.create();
    pipeline = await startPipeline("brokerkill", undefined, {
      bootstrapServers: broker.bootstrap,
      opsEndpoints: true,
    });
    await pipeline.awaitReady(60_000);
  }, 180_000);
  afterAll(async () => {
    await pipeline?.stop();
    await broker?.destroy();
  });

  it("loses and doubles nothing, and no stage exits", { timeout: 300_000 }, async () => {
    const load = sendTransactions(pipeline.gatewayUrl, COUNT, {
      label: "brokerkill",
      concurrency: 10,
      spacingMs: 20,
    });
    while (load.accepted.size < COUNT / 3) await new Promise((r) => setTimeout(r, 100));
    await broker.stop(); // SIGKILL
    const killedAt = load.accepted.size;
    await new Promise((r) => setTimeout(r, 5_000));
    await broker.start();
    await load.done;
    const ids = [...new Set(load.accepted.values())];
    expect(ids.length).toBe(COUNT);
    await awaitInLedger(pipeline.database.pool, ids, 120_000, pipeline);
    await awaitOutboxDrained(pipeline.database.pool, 60_000);
    await pipeline.awaitReady(60_000);
    expectNoExits(pipeline);
    await assertLedgerInvariants(pipeline.database.pool, ids, expect, pipeline.posted);
    console.log(
      `broker restart: killed after ${killedAt} accepted, ${COUNT} accepted in all, ${load.retries} client retries`,
    );
  });
});
