// The ledger rows' writes when two writers meet: a new row is a plain insert, so a second writer of the same
// transaction fails as a serialization failure (its batch is retried and finds the row); a replayed dead
// letter upgrades the dead_lettered row once.
import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyPlan,
  existingRows,
  type LedgerEntry,
  type LedgerStatus,
  type LedgerWritePlan,
  sql,
  toLedgerDbError,
} from "../src/index.ts";

const GROUP = "sink-group";

const entry = (id: string, status: LedgerStatus, upgrade = false): LedgerEntry => ({
  row: {
    transaction_id: id,
    account_id: status === "dead_lettered" ? null : "ACC-1",
    amount_minor: status === "dead_lettered" ? null : "1250",
    currency: status === "dead_lettered" ? null : "USD",
    base_currency: null,
    base_amount_minor: null,
    fx_rate: null,
    fx_rate_as_of: null,
    merchant_name: status === "dead_lettered" ? null : "Chicago Retail Hub",
    merchant_category: null,
    status,
    rejection_reasons: null,
    dead_letter_reason: status === "dead_lettered" ? "ENRICHMENT_FAILED" : null,
    risk_flags: [],
    occurred_at: null,
    accepted_at: null,
    posted_at: null,
    client_id: "dev",
    payload_hash: status === "dead_lettered" ? null : "hash",
    metadata: {},
    type: "payment",
    counterparty_account_id: null,
    original_transaction_id: null,
  },
  postings: [],
  events: [],
  ...(upgrade ? { upgrade: true as const } : {}),
});

const plan = (...entries: LedgerEntry[]): LedgerWritePlan => ({
  entries,
  events: [],
  conflicts: [],
  positions: [],
  limited: new Set(),
  postedAt: new Date(),
});

describe("ledger row writes", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("ledger_writes");
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("a second writer of the same transaction waits, then fails as a retryable serialization failure", async () => {
    const id = randomUUID();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstWrote = false;
    const first = db.pool.transaction(async (tx) => {
      await applyPlan(tx, GROUP, plan(entry(id, "posted")));
      firstWrote = true;
      await held;
    });
    while (!firstWrote) await new Promise((r) => setTimeout(r, 20));
    const second = db.pool
      .transaction((tx) => applyPlan(tx, GROUP, plan(entry(randomUUID(), "posted"), entry(id, "posted"))))
      .then(
        () => undefined,
        (error: unknown) => toLedgerDbError(error, "write batch"),
      );
    await new Promise((r) => setTimeout(r, 200));
    release();
    await first;
    const error = await second;
    expect(error?.reason).toBe("SERIALIZATION_FAILURE");
    expect(error?.retryable).toBe(true);
    // Nothing of the failed batch was written; its retry finds the first writer's row.
    const rows = await existingRows(db.pool, [id]);
    expect(rows.get(id)?.status).toBe("posted");
    expect(await db.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM transactions`)).toBe(1);
  });

  it("a replayed dead letter upgrades the dead_lettered row once", async () => {
    const id = randomUUID();
    await db.pool.transaction((tx) => applyPlan(tx, GROUP, plan(entry(id, "dead_lettered"))));
    const upgraded = await db.pool.transaction((tx) => applyPlan(tx, GROUP, plan(entry(id, "posted", true))));
    expect(upgraded.written.map((e) => e.row.transaction_id)).toEqual([id]);
    expect((await existingRows(db.pool, [id])).get(id)).toMatchObject({
      status: "posted",
      payload_hash: "hash",
    });
    // A second upgrade finds the row no longer dead_lettered: not written (another writer was first).
    const again = await db.pool.transaction((tx) => applyPlan(tx, GROUP, plan(entry(id, "rejected", true))));
    expect(again.written).toEqual([]);
    expect(again.raced.map((e) => e.row.transaction_id)).toEqual([id]);
    expect((await existingRows(db.pool, [id])).get(id)?.status).toBe("posted");
  });
});
