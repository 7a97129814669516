// The setup the processor's fault tests share: a namespace with reference rates whose processors are
// reaped after the suite, inputs produced in chunks while the fault happens, and the exactly-once check.
import type { ChildProcess } from "node:child_process";
import type { TransactionRequested } from "@ledgerline/contracts";
import { createTestNamespace, type TestNamespace } from "@ledgerline/testkit";
import { afterAll, beforeAll, expect } from "vitest";
import {
  collectOutputs,
  exactlyOnceProblems,
  killAndWait,
  produce,
  publishReferenceRates,
  type RawRecord,
  sleep,
  spawnProcessor,
} from "./helpers.ts";

/** A namespace with the reference FX rates; every processor spawned through it is killed before it goes. */
export const processorSuite = (label: string) => {
  const children: ChildProcess[] = [];
  const suite = {
    ns: undefined as unknown as TestNamespace,
    spawn: (instanceId: string, extraEnv: Record<string, string> = {}) => {
      const child = spawnProcessor(suite.ns, instanceId, extraEnv);
      children.push(child);
      return child;
    },
  };
  beforeAll(async () => {
    suite.ns = await createTestNamespace(label);
    await publishReferenceRates(suite.ns);
  });
  afterAll(async () => {
    for (const child of children) await killAndWait(child, "SIGKILL");
    await suite.ns?.cleanup();
  });
  return suite;
};

/** Produces the inputs in `chunks` equal slices with a pause after each, so faults land mid-stream. */
export const produceInChunks = async (
  ns: TestNamespace,
  inputs: { readonly requests: readonly TransactionRequested[]; readonly raw: readonly RawRecord[] },
  pace: { chunks: number; pauseMs: number },
) => {
  for (let c = 0; c < pace.chunks; c++) {
    const slice = <T>(items: readonly T[]) =>
      items.slice(
        Math.floor((c * items.length) / pace.chunks),
        Math.floor(((c + 1) * items.length) / pace.chunks),
      );
    await produce(ns, slice(inputs.requests), slice(inputs.raw));
    await sleep(pace.pauseMs);
  }
};

/** read_committed sees every input exactly once (late duplicates included: it reads on 2 s after). */
export const expectExactlyOnce = async (ns: TestNamespace, ids: readonly string[]) => {
  const outputs = await collectOutputs(ns, (items) => items.length >= ids.length, 60_000, 2_000);
  expect(exactlyOnceProblems(ids, outputs)).toEqual({
    missing: 0,
    duplicated: 0,
    unexpected: 0,
    total: ids.length,
  });
};
