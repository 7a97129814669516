// Cursor paging walks every row once, in order, whatever the timestamps: rows recorded in the same
// transaction (a seed: one recorded_at for all) and rows a few microseconds apart (the API shows
// milliseconds) included. It was ordering by the ISO text (milliseconds) and skipped rows.
import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCursor, listTransactions, reportTotals, sql } from "../src/index.ts";

describe("read model paging", () => {
  let db: TestDatabase;
  const ids: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase("readmodel");
    // 300 rows in one statement (one recorded_at), then pairs within one millisecond, ids against time.
    await db.pool.query(sql.unsafe`
      INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status, source, occurred_at, recorded_at)
      SELECT gen_random_uuid(), 'ACC-1', 100, 'USD', 'Shop', 'historical', 'historical', now(), '2026-01-01T00:00:00Z'
      FROM generate_series(1, 300)`);
    for (let i = 0; i < 20; i++) {
      const early = `2026-01-02T00:00:00.${String(i).padStart(3, "0")}100Z`;
      const late = `2026-01-02T00:00:00.${String(i).padStart(3, "0")}900Z`;
      await db.pool.query(sql.unsafe`
        INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status, source, occurred_at, recorded_at)
        VALUES (${`ffffffff-0000-4000-8000-${String(i).padStart(12, "0")}`}, 'ACC-2', 100, 'EUR', 'Shop', 'historical', 'historical', now(), ${early}),
               (${`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`}, 'ACC-2', 100, 'EUR', 'Shop', 'historical', 'historical', now(), ${late})`);
    }
    const all = await db.pool.anyFirst(
      sql.unsafe`SELECT transaction_id::text FROM transactions ORDER BY recorded_at DESC, transaction_id DESC`,
    );
    ids.push(...(all as string[]));
  });
  afterAll(() => db?.cleanup());

  it("visits every row once, newest first, page by page", async () => {
    expect(ids).toHaveLength(340);
    for (const limit of [1, 7, 100]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await listTransactions(db.pool, {}, limit, cursor ? decodeCursor(cursor) : undefined);
        seen.push(...page.rows.map((r) => r.transaction_id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen, `limit ${limit}`).toEqual(ids);
    }
  });

  it("totals only what the filters select", async () => {
    const acc2 = await reportTotals(db.pool, { accountId: "ACC-2" });
    expect(acc2.map((t) => [t.status, t.currency, t.count, String(t.amount_minor)])).toEqual([
      ["historical", "EUR", 40, "4000"],
    ]);
    expect((await reportTotals(db.pool)).map((t) => t.count).sort()).toEqual([300, 40]);
    expect(await reportTotals(db.pool, { accountId: randomUUID() })).toEqual([]);
  });
});
