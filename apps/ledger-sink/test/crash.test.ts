// SIGKILL the sink (a child process) at random moments while records flow; after a final restart
// every invariant of the ledger holds and the stored offsets equal the end of the input.
import { describe, expect, it } from "vitest";
import { appliedCount, expectAppliedOnce, payments, produceSlowly, sinkSuite } from "./faultRun.ts";
import { caughtUp, sleep, spawnApp, waitFor } from "./helpers.ts";

const RECORDS = 3_000;
const KILLS = 4;

describe("ledger sink crash recovery", () => {
  const suite = sinkSuite("sinkcrash");

  it("applies every record exactly once across repeated SIGKILLs", { timeout: 90_000 }, async () => {
    const { ns, db } = suite;
    const env = {
      LEDGERLINE_NAMESPACE: ns.namespace,
      DATABASE_URL: db.url,
      LEDGER_SINK_BATCH_SIZE: "200",
      OUTBOX_RELAY_ENABLED: "false",
    };
    const records = payments(RECORDS, { accounts: 37, merchants: 11, firstAmount: 100 });
    // Producer writes in chunks (with some at-least-once repeats) while the sink is killed and restarted.
    // Slow enough that every kill lands while records still arrive (a sink drains 3,000 in about a second).
    const producing = produceSlowly(ns, records, { chunk: 300, repeats: 10, pauseMs: 600 });
    const applied = () => appliedCount(db.pool);
    for (let kill = 0; kill < KILLS; kill++) {
      const sink = await spawnApp("main.ts", env);
      // Kill at a random moment once this instance is writing (start-up time varies with load: on busy
      // cores a start can outlast the producer, so "the producer finished" is no reason to kill early).
      const before = await applied();
      await waitFor(
        "the sink to make progress",
        async () => {
          const now = await applied();
          return now > before || now >= BigInt(RECORDS) || sink.child.exitCode !== null;
        },
        30_000,
      ).catch(() => undefined);
      await sleep(Math.random() * 800);
      await sink.kill("SIGKILL");
    }
    await producing.done;
    // The killed sinks made real progress (the kills landed mid-stream, not before the first batch).
    expect(await applied()).toBeGreaterThan(0n);
    const final = await spawnApp("main.ts", env);
    try {
      await waitFor("sink to catch up", () => caughtUp(db.pool, ns, ["validated"]), 45_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}; sink stderr: ${final.stderr()}`);
    } finally {
      await final.kill("SIGTERM");
    }
    await expectAppliedOnce(db.pool, ns, records);
  });
});
