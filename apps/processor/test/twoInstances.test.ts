// Two processor instances share the partitions; SIGKILL one: the other takes over and exactly-once holds.
import { describe, it } from "vitest";
import { expectExactlyOnce, processorSuite, produceInChunks } from "./faultRun.ts";
import { killAndWait, mixedInputs, sleep } from "./helpers.ts";

describe("two instances", () => {
  const suite = processorSuite("proctwo");

  it("keeps exactly-once when one instance dies", { timeout: 120_000 }, async () => {
    const { ns } = suite;
    const inputs = mixedInputs(2_000);
    suite.spawn("0", { PROCESSOR_BATCH_SIZE: "50" });
    const doomed = suite.spawn("1", { PROCESSOR_BATCH_SIZE: "50" });
    const producing = produceInChunks(ns, inputs, { chunks: 8, pauseMs: 1_000 });
    await sleep(4_000 + Math.random() * 2_000);
    await killAndWait(doomed, "SIGKILL");
    await producing;

    // The survivor gets the dead member's partitions once its session (10 s) expires.
    await expectExactlyOnce(ns, inputs.ids);
  });
});
