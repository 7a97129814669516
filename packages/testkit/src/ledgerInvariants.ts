// The ledger invariants every crash, restart and fault test ends with, checked in Postgres.
import { type DatabasePool, sql } from "@ledgerline/ledger-db";

type Expect = (value: unknown) => { toBe(v: unknown): void; toEqual(v: unknown): void };

/**
 * Exactly `expectIds` are in the ledger, once each; every posted transaction has two postings summing to
 * zero; every balance equals the sum of its postings; one outbox event per posted transaction.
 */
export const assertLedgerInvariants = async (
  pool: DatabasePool,
  expectIds: readonly string[],
  expect: Expect,
) => {
  const counts = (await pool.one(sql.unsafe`
    SELECT count(*) AS rows, count(DISTINCT transaction_id) AS ids,
      count(*) FILTER (WHERE status = 'posted') AS posted FROM transactions`)) as {
    rows: bigint;
    ids: bigint;
    posted: bigint;
  };
  expect(counts.rows).toBe(BigInt(expectIds.length));
  expect(counts.ids).toBe(BigInt(expectIds.length));
  const missing = await pool.anyFirst(sql.unsafe`
    SELECT id FROM unnest(${sql.array(expectIds, "uuid")}) AS id
    WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.transaction_id = id) LIMIT 5`);
  expect(missing).toEqual([]);
  const badPostings = await pool.anyFirst(sql.unsafe`
    SELECT t.transaction_id FROM transactions t LEFT JOIN postings p USING (transaction_id)
    WHERE t.status = 'posted' GROUP BY t.transaction_id
    HAVING count(p.posting_id) <> 2 OR coalesce(sum(p.amount_minor), 1) <> 0 LIMIT 5`);
  expect(badPostings).toEqual([]);
  const badBalances = await pool.anyFirst(sql.unsafe`
    SELECT coalesce(b.ledger_account, p.ledger_account) FROM account_balances b
    FULL JOIN (SELECT ledger_account, currency, sum(amount_minor) AS s FROM postings GROUP BY 1, 2) p
      USING (ledger_account, currency)
    WHERE b.balance_minor IS DISTINCT FROM p.s LIMIT 5`);
  expect(badBalances).toEqual([]);
  const outbox = (await pool.one(sql.unsafe`
    SELECT count(*) AS events, count(DISTINCT (payload->>'transaction_id')) AS ids FROM outbox
    WHERE topic_id = 'posted'`)) as {
    events: bigint;
    ids: bigint;
  };
  expect(outbox).toEqual({ events: counts.posted, ids: counts.posted });
};
