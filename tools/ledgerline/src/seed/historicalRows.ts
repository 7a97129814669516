// Inserts PaySim rows as Historical transactions (seed 002's seed_data.py). Re-running adds nothing.

import { createLedgerPool, sql } from "@ledgerline/ledger-db";
import { Redacted } from "effect";
import type { PaysimTransaction } from "../paysim/paysim.ts";

export interface SeedResult {
  readonly inserted: number;
  readonly alreadyPresent: number;
}

/** Rows per INSERT: one statement (and so one commit) per chunk, whatever the length of the file. */
export const SEED_CHUNK_ROWS = 1_000;

/** A chunk's rows as one jsonb record set (bigints as decimal text, times ISO). */
const rowSet = (chunk: readonly PaysimTransaction[]) =>
  sql.jsonb(
    chunk.map((t) => ({
      transaction_id: t.transactionId,
      type: t.type,
      account_id: t.accountId,
      counterparty_account_id: t.counterpartyAccountId,
      amount_minor: t.amountMinor.toString(),
      currency: t.currency,
      merchant_name: t.merchantName,
      risk_flags: [...t.riskFlags],
      occurred_at: t.occurredAt.toISOString(),
      metadata: t.metadata,
    })),
  );

/**
 * Inserts the rows in chunks, each one INSERT committed on its own, so the rows are never all in memory.
 * Ids derive from the rows, so ON CONFLICT makes a second run (or the rest of one that stopped) add only
 * what is missing.
 */
export const insertHistorical = async (
  databaseUrl: Redacted.Redacted<string>,
  transactions: AsyncIterable<PaysimTransaction> | Iterable<PaysimTransaction>,
  onProgress: (done: number) => void = () => undefined,
  chunkRows = SEED_CHUNK_ROWS,
): Promise<SeedResult> => {
  const pool = await createLedgerPool(Redacted.value(databaseUrl), { maximumPoolSize: 2 });
  try {
    let inserted = 0;
    let done = 0;
    const insert = async (chunk: readonly PaysimTransaction[]) => {
      const result = await pool.query(sql.unsafe`
        INSERT INTO transactions (
          transaction_id, type, account_id, counterparty_account_id, amount_minor, currency, merchant_name,
          status, source, risk_flags, occurred_at, accepted_at, client_id, metadata
        )
        SELECT r.transaction_id, r.type, r.account_id, r.counterparty_account_id, r.amount_minor, r.currency,
          r.merchant_name, 'historical', 'historical', r.risk_flags, r.occurred_at, r.occurred_at,
          'ledgerline-seed', r.metadata
        FROM jsonb_to_recordset(${rowSet(chunk)}) AS r(
          transaction_id uuid, type text, account_id text, counterparty_account_id text, amount_minor bigint,
          currency text, merchant_name text, risk_flags text[], occurred_at timestamptz, metadata jsonb)
        ON CONFLICT (transaction_id) DO NOTHING`);
      inserted += result.rowCount;
      done += chunk.length;
      onProgress(done);
    };
    let chunk: PaysimTransaction[] = [];
    for await (const transaction of transactions) {
      chunk.push(transaction);
      if (chunk.length >= chunkRows) {
        await insert(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await insert(chunk);
    return { inserted, alreadyPresent: done - inserted };
  } finally {
    await pool.end();
  }
};

/** How many Historical rows the ledger holds (what GET /reports lists as "Historical"). */
export const countHistorical = async (databaseUrl: Redacted.Redacted<string>): Promise<number> => {
  const pool = await createLedgerPool(Redacted.value(databaseUrl), { maximumPoolSize: 1 });
  try {
    const count = await pool.oneFirst(
      sql.unsafe`SELECT count(*) FROM transactions WHERE status = 'historical'`,
    );
    return Number(count);
  } finally {
    await pool.end();
  }
};
