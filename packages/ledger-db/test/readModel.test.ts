// Cursor paging walks every row once, in order, whatever the timestamps: rows recorded in the same
// transaction (a seed: one recorded_at for all) and rows a few microseconds apart (the API shows
// milliseconds) included. It was ordering by the ISO text (milliseconds) and skipped rows.
import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeCursor,
  decodeStatementCursor,
  encodeStatementCursor,
  getAccount,
  getBalancesAsOf,
  getStatement,
  listTransactions,
  reportTotals,
  sql,
} from "../src/index.ts";

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

// An account's statement and balances as of a moment: newest first by (created_at, account_seq), equal
// created_at (one sink batch) broken by the sequence number, paging across such ties, and each query a
// range scan of postings_statement under a LIMIT.
describe("account reads", () => {
  let db: TestDatabase;
  const ACCOUNT = "customer:acme:ACC-S";
  // (created_at, amount): seq 1..6 in order; 3, 4 and 5 were posted in one batch (one created_at).
  const POSTINGS = [
    ["2026-03-01T00:00:00.000001Z", 1000n],
    ["2026-03-02T00:00:00Z", -300n],
    ["2026-03-03T00:00:00Z", -200n],
    ["2026-03-03T00:00:00Z", 50n],
    ["2026-03-03T00:00:00Z", -25n],
    ["2026-03-04T00:00:00Z", 5n],
  ] as const;
  const txId = (seq: number) => `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`;
  beforeAll(async () => {
    db = await createTestDatabase("accountreads");
    let balance = 0n;
    for (const [index, [at, amount]] of POSTINGS.entries()) {
      const seq = index + 1;
      balance += amount;
      await db.pool.query(sql.unsafe`
        INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status, type)
        VALUES (${txId(seq)}, 'ACC-S', ${(amount < 0n ? -amount : amount).toString()}, 'USD', 'Shop', 'posted',
                ${amount < 0n ? "payment" : "cash_in"})`);
      await db.pool.query(sql.unsafe`
        INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor, created_at, account_seq, balance_after_minor)
        VALUES (${txId(seq)}, ${ACCOUNT}, 'USD', ${amount.toString()}, ${at}::timestamptz, ${seq}, ${balance.toString()})`);
    }
    await db.pool.query(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, balance_minor, updated_at, last_seq)
      VALUES (${ACCOUNT}, 'USD', ${balance.toString()}, '2026-03-04T00:00:00Z', ${POSTINGS.length}),
             (${ACCOUNT}, 'EUR', 0, '2026-03-05T00:00:00Z', 0)`);
  });
  afterAll(() => db?.cleanup());

  it("reads the account's rows, a limit-only row without an update time", async () => {
    const rows = await getAccount(db.pool, ACCOUNT);
    expect(rows.map((r) => [r.currency, r.balance_minor, r.last_seq, r.updated_at])).toEqual([
      ["EUR", 0n, 0n, null],
      ["USD", 530n, 6n, "2026-03-04T00:00:00.000Z"],
    ]);
    expect(await getAccount(db.pool, "customer:acme:NONE")).toEqual([]);
  });

  it("gives the balance after the newest posting at or before a moment", async () => {
    const at = async (asOf: Date | string) =>
      (await getBalancesAsOf(db.pool, ACCOUNT, asOf)).map((r) => [
        r.currency,
        r.balance_minor,
        r.account_seq,
      ]);
    expect(await at(new Date("2026-03-01T00:00:00Z"))).toEqual([]);
    // Exact to the microsecond when given as text.
    expect(await at("2026-03-01T00:00:00.000001Z")).toEqual([["USD", 1000n, 1n]]);
    expect(await at("2026-03-02T12:00:00+12:00")).toEqual([["USD", 700n, 2n]]);
    expect(await at(new Date("2026-03-03T00:00:00Z"))).toEqual([["USD", 525n, 5n]]);
    expect(await at(new Date("2030-01-01T00:00:00Z"))).toEqual([["USD", 530n, 6n]]);
  });

  it("pages a statement newest first through the cursor, across a tie of created_at", async () => {
    const seqs: bigint[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const position = cursor === null ? undefined : decodeStatementCursor(cursor);
      const page = await getStatement(db.pool, {
        ledgerAccount: ACCOUNT,
        currency: "USD",
        limit: 2,
        ...(position ? { cursor: position } : {}),
      });
      seqs.push(...page.rows.map((r) => r.account_seq));
      cursor = page.next === null ? null : encodeStatementCursor(page.next);
      pages++;
    } while (cursor !== null);
    expect(seqs).toEqual([6n, 5n, 4n, 3n, 2n, 1n]);
    expect(pages).toBe(3);
    const first = await getStatement(db.pool, { ledgerAccount: ACCOUNT, currency: "USD", limit: 1 });
    expect(first.rows[0]).toMatchObject({
      transaction_id: txId(6),
      type: "cash_in",
      amount_minor: 5n,
      balance_after_minor: 530n,
      posted_at: "2026-03-04T00:00:00.000Z",
    });
  });

  it("bounds a statement by from and to, both inclusive", async () => {
    const page = await getStatement(db.pool, {
      ledgerAccount: ACCOUNT,
      currency: "USD",
      from: "2026-03-02T00:00:00Z",
      to: new Date("2026-03-03T00:00:00Z"),
      limit: 50,
    });
    expect(page.rows.map((r) => r.account_seq)).toEqual([5n, 4n, 3n, 2n]);
    expect(page.next).toBeNull();
    expect((await getStatement(db.pool, { ledgerAccount: ACCOUNT, currency: "EUR", limit: 5 })).rows).toEqual(
      [],
    );
  });

  it("refuses cursors it did not issue", () => {
    const position = { createdAt: "2026-03-03T00:00:00.000000Z", seq: 4n };
    expect(decodeStatementCursor(encodeStatementCursor(position))).toEqual(position);
    for (const token of ["", "x", "%%%", Buffer.from("2026-03-03|4").toString("base64url")])
      expect(decodeStatementCursor(token), token).toBeUndefined();
    expect(
      decodeStatementCursor(Buffer.from("2026-03-03T00:00:00.000000Z|0").toString("base64url")),
    ).toBeUndefined();
  });

  it("reads postings through postings_statement with a limit, never a sort of the account", async () => {
    await db.pool.query(sql.unsafe`ANALYZE postings`);
    // Six rows: the planner would scan the table; the question is whether the index can serve the order.
    const plan = (statement: ReturnType<typeof sql.unsafe>) =>
      db.pool.transaction(async (tx) => {
        await tx.query(sql.unsafe`SET LOCAL enable_seqscan = off`);
        return (await tx.anyFirst(statement)).join("\n");
      });
    const statement = await plan(sql.unsafe`
      EXPLAIN SELECT * FROM postings AS p WHERE p.ledger_account = ${ACCOUNT} AND p.currency = 'USD'
        AND (p.created_at, p.account_seq) < ('2026-03-03T00:00:00Z'::timestamptz, 5::bigint)
      ORDER BY p.created_at DESC, p.account_seq DESC LIMIT 3`);
    expect(statement).toMatch(/Index (Only )?Scan Backward using postings_statement/);
    expect(statement).not.toMatch(/Sort/);
  });
});
