// A real `pg_ctl restart -m immediate` of the ledger's Postgres while the sink and the outbox relay
// work (a throwaway cluster: the shared one serves the other tests). Everything is posted exactly
// once, the outbox drains, every invariant holds, and no stage process exited.
import { ThrowawayPostgres } from "@ledgerline/testkit";
import { describe, it } from "vitest";
import { expectRecovered, pipelineOnThrowaway, sendTransactions, untilAccepted } from "./faultSupport.ts";

const COUNT = 2_000;

describe("Postgres restart (immediate)", () => {
  const suite = pipelineOnThrowaway(
    "pgkill",
    () => ThrowawayPostgres.create(),
    (postgres) => ({
      databaseUrl: postgres.url(),
    }),
  );

  it("posts everything once, drains the outbox, and no stage exits", { timeout: 300_000 }, async () => {
    const { service: postgres, pipeline } = suite;
    const load = sendTransactions(pipeline.gatewayUrl, COUNT, {
      label: "pgkill",
      concurrency: 10,
      spacingMs: 20,
    });
    const restarts: number[] = [];
    for (const fraction of [0.3, 0.6]) {
      await untilAccepted(load, COUNT * fraction);
      await postgres.restartImmediate();
      restarts.push(load.accepted.size);
    }
    await expectRecovered(pipeline, load, COUNT);
    console.log(
      `postgres restart: restarted after ${restarts.join(" and ")} accepted; ${load.retries} client retries`,
    );
  });
});
