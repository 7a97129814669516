// What a ledger check answers (rows checked, findings, the first offenders) and the one way most checks
// compute it: a set-based query aggregated in one pass, its statement timeout lifted.
import { type DatabasePool, type DatabaseTransactionConnection, sql } from "slonik";

export type LedgerCheckName =
  | "postings"
  | "balances"
  | "statements"
  | "limits"
  | "legs"
  | "refunds"
  | "shared-accounts"
  | "events";

export interface LedgerCheckResult {
  readonly name: LedgerCheckName;
  readonly description: string;
  /** Rows the check looked at: transactions, balances, originals, accounts. */
  readonly checked: number;
  /** Rows that break the invariant. */
  readonly findings: number;
  /** The first `limit` of them: a transaction id, "account currency" or account, and what is wrong. */
  readonly offenders: readonly LedgerOffender[];
  readonly elapsedMs: number;
}

export interface LedgerOffender {
  readonly id: string;
  readonly detail: string;
}

export const LEDGER_CHECKS: Readonly<Record<LedgerCheckName, string>> = {
  postings:
    "every posted transaction has exactly two postings, in one currency, summing to zero; others have none",
  balances: "every account balance equals the sum of its postings",
  statements:
    "each account's postings are numbered 1..n per currency in time order, each balance_after is the running sum, and the balance row's last_seq and balance are the last posting's",
  limits: "no account with an overdraft limit is below it",
  legs: "every posted transaction's postings are the legs its kind books (refunds: the original's, reversed)",
  refunds: "posted refunds never exceed their original, and add up to its refunded_minor",
  "shared-accounts": "every customer account is posted only by its owning client",
  events: "every posted transaction has exactly one transactions.posted event (outbox or published)",
};

export type Aggregate = {
  checked: bigint | number;
  findings: bigint | number;
  offenders: readonly LedgerOffender[] | null;
};

export const timed = async (
  name: LedgerCheckName,
  run: () => Promise<Aggregate>,
): Promise<LedgerCheckResult> => {
  const started = performance.now();
  const a = await run();
  return {
    name,
    description: LEDGER_CHECKS[name],
    checked: Number(a.checked),
    findings: Number(a.findings),
    offenders: a.offenders ?? [],
    elapsedMs: Math.round(performance.now() - started),
  };
};

export type Db = DatabasePool | DatabaseTransactionConnection;

/**
 * A check reads the whole ledger in one statement: the pool's statement timeout (slonik's 60 s) is lifted
 * for its transaction only.
 */
export const UNBOUNDED = sql.unsafe`SET LOCAL statement_timeout = 0`;

/**
 * Counts rows and offenders of `rows` (a subquery with `id text`, `detail text`, `bad boolean`) in one pass.
 * Only the first `limit` offenders are collected (a running count over the rows as they come): one wrong
 * amount in an account of a million postings makes every later line of its statement an offender.
 */
export const aggregate = (db: Db, rows: ReturnType<typeof sql.fragment>, limit: number) =>
  (db as DatabasePool).transaction(async (tx) => {
    await tx.query(UNBOUNDED);
    return tx.one(sql.unsafe`
    SELECT count(*) AS checked, count(*) FILTER (WHERE bad) AS findings,
      array_agg(json_build_object('id', id, 'detail', detail)) FILTER (WHERE bad AND nth <= ${limit}::int)
        AS offenders
    FROM (
      SELECT id, detail, bad, count(*) FILTER (WHERE bad) OVER (ROWS UNBOUNDED PRECEDING) AS nth
      FROM (${rows}) AS rows_in
    ) AS checked_rows`);
  }) as Promise<Aggregate>;
