// SIGKILL of the Kafka broker while 2,000 transactions flow, then a restart a few seconds later.
// Clients retry with the same Idempotency-Key while the gateway answers 503. Every accepted
// transaction is posted exactly once, every ledger invariant holds, and no stage process exited.
import { ThrowawayBroker } from "@ledgerline/testkit";
import { describe, it } from "vitest";
import { expectRecovered, pipelineOnThrowaway, sendTransactions, untilAccepted } from "./faultSupport.ts";

const COUNT = 2_000;

describe("Kafka broker restart", () => {
  const suite = pipelineOnThrowaway(
    "brokerkill",
    () => ThrowawayBroker.create(),
    (broker) => ({
      bootstrapServers: broker.bootstrap,
    }),
  );

  it("loses and doubles nothing, and no stage exits", { timeout: 300_000 }, async () => {
    const { service: broker, pipeline } = suite;
    const load = sendTransactions(pipeline.gatewayUrl, COUNT, {
      label: "brokerkill",
      concurrency: 10,
      spacingMs: 20,
    });
    await untilAccepted(load, COUNT / 3);
    await broker.stop(); // SIGKILL
    const killedAt = load.accepted.size;
    await new Promise((r) => setTimeout(r, 5_000));
    await broker.start();
    await expectRecovered(pipeline, load, COUNT);
    console.log(
      `broker restart: killed after ${killedAt} accepted, ${COUNT} accepted in all, ${load.retries} client retries`,
    );
  });
});
