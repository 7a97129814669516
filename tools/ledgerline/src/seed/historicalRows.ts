// Inserts PaySim rows as Historical transactions (seed 002's seed_data.py). Re-running adds nothing.
import { createLedgerPool, sql } from "@ledgerline/ledger-db";
import type { PaysimTransaction } from "../paysim/paysim.ts";

export interface SeedResult {
  readonly inserted: number;
  readonly alreadyPresent: number;
}

export const insertHistorical = async (
  databaseUrl: string,
  transactions: readonly PaysimTransaction[],
  onProgress: (done: number) => void = () => undefined,
): Promise<SeedResult> => {
  const pool = await createLedgerPool(databaseUrl, { maximumPoolSize: 2 });
  try {
    let inserted = 0;
    await pool.transaction(async (tx) => {
      for (const [index, t] of transactions.entries()) {
        // The id is derived from the row, so ON CONFLICT makes a second run a no-op.
        const result = await tx.query(sql.unsafe`
          INSERT INTO transactions (
            transaction_id, account_id, amount_minor, currency, merchant_name, status, source,
            risk_flags, occurred_at, accepted_at, client_id, metadata
          ) VALUES (
            ${t.transactionId}, ${t.accountId}, ${t.amountMinor.toString()}::bigint, ${t.currency}, ${t.merchantName},
            'historical', 'historical', ${sql.array([...t.riskFlags], "text")}, ${t.occurredAt.toISOString()}::timestamptz,
            ${t.occurredAt.toISOString()}::timestamptz, 'ledgerline-seed', ${sql.jsonb(t.metadata)}
          )
          ON CONFLICT (transaction_id) DO NOTHING`);
        inserted += result.rowCount;
        onProgress(index + 1);
      }
    });
    return { inserted, alreadyPresent: transactions.length - inserted };
  } finally {
    await pool.end();
  }
};

/** How many Historical rows the ledger holds (what GET /reports lists as "Historical"). */
export const countHistorical = async (databaseUrl: string): Promise<number> => {
  const pool = await createLedgerPool(databaseUrl, { maximumPoolSize: 1 });
  try {
    const count = await pool.oneFirst(
      sql.unsafe`SELECT count(*) FROM transactions WHERE status = 'historical'`,
    );
    return Number(count);
  } finally {
    await pool.end();
  }
};
