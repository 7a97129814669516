import { describe, expect, it } from "vitest";
import { batchOwnership, membershipOf } from "./ownership.ts";

const membership = membershipOf({ generationId: 4, assignments: [{ topic: "in", partitions: [0, 2] }] }, 0);
const record = (partition: number, generation = 4) => ({ topic: "in", partition, generation });

describe("batch ownership", () => {
  it("owns a batch read in the current generation from assigned partitions", () => {
    expect(batchOwnership(membership, 4, [record(0), record(2), record(0)])).toEqual({ _tag: "Owned" });
  });

  it("refuses records of a partition that moved to another member (a fetch that straddled the rebalance)", () => {
    expect(batchOwnership(membership, 4, [record(0), record(1)])).toEqual({
      _tag: "NotOwned",
      reason: "in:1 is not assigned to us in generation 4",
    });
  });

  it("refuses records read in an older generation", () => {
    expect(batchOwnership(membership, 4, [record(0, 3)])._tag).toBe("NotOwned");
  });

  it("refuses everything between JoinGroup (new generation) and SyncGroup (its assignment)", () => {
    expect(batchOwnership(membership, 5, [record(0, 5)])).toEqual({
      _tag: "NotOwned",
      reason: "a rebalance is under way (generation 5 joined, the assignment is of 4)",
    });
  });

  it("refuses before any join was reported", () => {
    expect(batchOwnership(undefined, 1, [record(0, 1)])._tag).toBe("NotOwned");
  });
});
