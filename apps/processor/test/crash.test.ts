// SIGKILL the processor at random moments while records flow: read_committed sees every input exactly once.
import type { ChildProcess } from "node:child_process";
import { createTestNamespace, type TestNamespace } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectOutputs,
  exactlyOnceProblems,
  killAndWait,
  mixedInputs,
  produce,
  publishReferenceRates,
  sleep,
  spawnProcessor,
} from "./helpers.ts";

describe("crash test", () => {
  let ns: TestNamespace;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    ns = await createTestNamespace("proccrash");
    await publishReferenceRates(ns);
  });
  afterAll(async () => {
    if (child) await killAndWait(child, "SIGKILL");
    await ns?.cleanup();
  });

  it("survives repeated SIGKILLs without loss or duplicates", { timeout: 120_000 }, async () => {
    const { requests, raw, ids } = mixedInputs(3_000);
    // Records keep flowing in chunks while the processor is being killed and restarted.
    const producing = (async () => {
      const chunks = 10;
      for (let c = 0; c < chunks; c++) {
        const slice = (items: readonly unknown[]) =>
          items.slice(Math.floor((c * items.length) / chunks), Math.floor(((c + 1) * items.length) / chunks));
        await produce(ns, slice(requests) as typeof requests, slice(raw) as typeof raw);
        await sleep(1_500);
      }
    })();

    child = spawnProcessor(ns, "0", { PROCESSOR_BATCH_SIZE: "100" });
    for (let kill = 0; kill < 4; kill++) {
      await sleep(2_500 + Math.random() * 3_500);
      await killAndWait(child, "SIGKILL");
      child = spawnProcessor(ns, "0", { PROCESSOR_BATCH_SIZE: "100" });
    }
    await producing;

    const outputs = await collectOutputs(ns, (items) => items.length >= ids.length, 60_000, 2_000);
    expect(exactlyOnceProblems(ids, outputs)).toEqual({
      missing: 0,
      duplicated: 0,
      unexpected: 0,
      total: ids.length,
    });
  });
});
