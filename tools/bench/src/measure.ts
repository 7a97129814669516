// What the ledger says about a step: how many of its transactions are in, how many went in while the load
// ran, and accept→posted latency from each row's own timestamps (accepted_at from the gateway, posted_at
// from the sink). Every query is a range over the recorded_at index, so the reading costs Postgres little.
import { type createLedgerPool, sql } from "@ledgerline/ledger-db";

type LedgerPool = Awaited<ReturnType<typeof createLedgerPool>>;

const at = (date: Date) => sql.unsafe`${date.toISOString()}::timestamptz`;

/** Ledger rows (any status) recorded since `from`. Steps run one after another, each drained: these are its rows. */
export const recordedSince = async (pool: LedgerPool, from: Date): Promise<number> =>
  (await pool.oneFirst(
    sql.unsafe`SELECT count(*)::int FROM transactions WHERE recorded_at >= ${at(from)}`,
  )) as number;

/** p50 and p99 of accepted_at → posted_at (recorded_at for a row the processor rejected) since `from`, in ms. */
export const acceptToPosted = async (pool: LedgerPool, from: Date): Promise<{ p50: number; p99: number }> => {
  const row = (await pool.one(sql.unsafe`
    SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), 0)::float8 AS p50,
           coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), 0)::float8 AS p99
    FROM (SELECT extract(epoch FROM coalesce(posted_at, recorded_at) - accepted_at) * 1000 AS ms
          FROM transactions WHERE recorded_at >= ${at(from)} AND accepted_at IS NOT NULL) AS latencies`)) as {
    p50: number;
    p99: number;
  };
  return { p50: Number(row.p50), p99: Number(row.p99) };
};
