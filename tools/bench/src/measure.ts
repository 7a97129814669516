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

/**
 * The step's transactions as the ledger saw them: p50 and p99 of accepted_at → posted_at (recorded_at for
 * a row the processor rejected), and the span from the first accepted to the last posted, in ms.
 */
export const stepTimings = async (
  pool: LedgerPool,
  from: Date,
): Promise<{ p50: number; p99: number; spanMs: number }> => {
  const row = (await pool.one(sql.unsafe`
    SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), 0)::float8 AS p50,
           coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), 0)::float8 AS p99,
           coalesce(extract(epoch FROM max(done) - min(accepted_at)) * 1000, 0)::float8 AS span_ms
    FROM (SELECT accepted_at, coalesce(posted_at, recorded_at) AS done,
                 extract(epoch FROM coalesce(posted_at, recorded_at) - accepted_at) * 1000 AS ms
          FROM transactions WHERE recorded_at >= ${at(from)} AND accepted_at IS NOT NULL) AS latencies`)) as {
    p50: number;
    p99: number;
    span_ms: number;
  };
  return { p50: Number(row.p50), p99: Number(row.p99), spanMs: Number(row.span_ms) };
};

export interface StatementCost {
  /** The statement's text, whitespace folded, cut to 100 characters. */
  readonly query: string;
  readonly calls: number;
  /** Execution (and planning) time per posted transaction, µs. */
  readonly micros: number;
}

/** Forgets what pg_stat_statements gathered so far. */
export const resetStatements = async (pool: LedgerPool): Promise<void> => {
  await pool.query(sql.unsafe`SELECT pg_stat_statements_reset()`);
};

/** The statements Postgres spent the most time on since the last reset, per transaction posted. */
export const topStatements = async (
  pool: LedgerPool,
  transactions: number,
  limit = 8,
): Promise<StatementCost[]> => {
  const rows = (await pool.any(sql.unsafe`
    SELECT left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 100) AS query, calls::int AS calls,
           (total_exec_time + total_plan_time)::float8 AS ms
    FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT ${limit}`)) as readonly {
    query: string;
    calls: number;
    ms: number;
  }[];
  return rows.map((r) => ({
    query: r.query,
    calls: r.calls,
    micros: (r.ms * 1_000) / Math.max(1, transactions),
  }));
};
