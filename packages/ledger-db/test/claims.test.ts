// Partition claims: a sink that lost a partition cannot write a batch for it once the new holder claimed
// it, and a claim waits for a batch being written. Two instances never write one partition at once.
import { createTestDatabase, type TestDatabase } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimPartitions, LedgerDbError, verifyClaims } from "../src/index.ts";

const GROUP = "sink-group";
const p0 = { topic: "validated", partition: 0 };
const p1 = { topic: "validated", partition: 1 };

describe("partition claims", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("claims");
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("a batch of the previous holder is refused once another instance claimed its partition", async () => {
    const a = await claimPartitions(db.pool, GROUP, "a", [p0, p1]);
    await db.pool.transaction((tx) => verifyClaims(tx, GROUP, [p0, p1], a));
    const b = await claimPartitions(db.pool, GROUP, "b", [p1]);
    expect(Number(b.get("validated:1"))).toBe(Number(a.get("validated:1")) + 1);
    // a still holds p0, not p1.
    await db.pool.transaction((tx) => verifyClaims(tx, GROUP, [p0], a));
    const refused = await db.pool
      .transaction((tx) => verifyClaims(tx, GROUP, [p0, p1], a))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(LedgerDbError);
    expect((refused as LedgerDbError).reason).toBe("TAKEN_OVER");
    expect((refused as LedgerDbError).message).toMatch(/validated\[1\]/);
    await db.pool.transaction((tx) => verifyClaims(tx, GROUP, [p1], b));
    // A partition never claimed by this instance is not written either.
    await expect(db.pool.transaction((tx) => verifyClaims(tx, GROUP, [p0], b))).rejects.toThrow(/claimed/);
  });

  it("a claim waits until a batch being written to the partition has committed", async () => {
    const a = await claimPartitions(db.pool, GROUP, "a", [p0]);
    const events: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writing = db.pool.transaction(async (tx) => {
      await verifyClaims(tx, GROUP, [p0], a);
      events.push("a verified");
      await held;
      events.push("a commits");
    });
    while (events.length === 0) await new Promise((r) => setTimeout(r, 20));
    const claiming = claimPartitions(db.pool, GROUP, "b", [p0]).then(() => events.push("b claimed"));
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual(["a verified"]);
    release();
    await Promise.all([writing, claiming]);
    expect(events).toEqual(["a verified", "a commits", "b claimed"]);
  });
});
