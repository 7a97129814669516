// Two processor instances share the partitions; SIGKILL one: the other takes over and exactly-once holds.
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

describe("two instances", () => {
  let ns: TestNamespace;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ns = await createTestNamespace("proctwo");
    await publishReferenceRates(ns);
  });
  afterAll(async () => {
    for (const child of children) await killAndWait(child, "SIGKILL");
    await ns?.cleanup();
  });

  it("keeps exactly-once when one instance dies", { timeout: 120_000 }, async () => {
    const { requests, raw, ids } = mixedInputs(2_000);
    children.push(spawnProcessor(ns, "0", { PROCESSOR_BATCH_SIZE: "50" }));
    children.push(spawnProcessor(ns, "1", { PROCESSOR_BATCH_SIZE: "50" }));
    const producing = (async () => {
      const chunks = 8;
      for (let c = 0; c < chunks; c++) {
        const slice = <T>(items: readonly T[]) =>
          items.slice(Math.floor((c * items.length) / chunks), Math.floor(((c + 1) * items.length) / chunks));
        await produce(ns, slice(requests), slice(raw));
        await sleep(1_000);
      }
    })();
    await sleep(4_000 + Math.random() * 2_000);
    await killAndWait(children[1]!, "SIGKILL");
    await producing;

    // The survivor gets the dead member's partitions once its session (10 s) expires.
    const outputs = await collectOutputs(ns, (items) => items.length >= ids.length, 60_000, 2_000);
    expect(exactlyOnceProblems(ids, outputs)).toEqual({
      missing: 0,
      duplicated: 0,
      unexpected: 0,
      total: ids.length,
    });
  });
});
