// SIGKILL the processor at random moments while records flow: read_committed sees every input exactly once.
import { describe, it } from "vitest";
import { expectExactlyOnce, processorSuite, produceInChunks } from "./faultRun.ts";
import { killAndWait, mixedInputs, sleep } from "./helpers.ts";

describe("crash test", () => {
  const suite = processorSuite("proccrash");

  it("survives repeated SIGKILLs without loss or duplicates", { timeout: 120_000 }, async () => {
    const { ns } = suite;
    const inputs = mixedInputs(3_000);
    // Records keep flowing in chunks while the processor is being killed and restarted.
    const producing = produceInChunks(ns, inputs, { chunks: 10, pauseMs: 1_500 });

    let child = suite.spawn("0", { PROCESSOR_BATCH_SIZE: "100" });
    for (let kill = 0; kill < 4; kill++) {
      await sleep(2_500 + Math.random() * 3_500);
      await killAndWait(child, "SIGKILL");
      child = suite.spawn("0", { PROCESSOR_BATCH_SIZE: "100" });
    }
    await producing;

    await expectExactlyOnce(ns, inputs.ids);
  });
});
