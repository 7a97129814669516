// A customer account as the accounts API reads it: its balance rows now (with their overdraft limits), its
// balances as of a moment, and its statement. Every postings query is a range scan of postings_statement
// (ledger_account, currency, created_at, account_seq) with a LIMIT, so none grows with the account's
// history. Timestamps come back as ISO text and money as bigint: nothing passes through a float.
import { type CommonQueryMethods, sql } from "slonik";

/** ISO text, UTC, milliseconds: the API's format for times. */
const iso = (column: ReturnType<typeof sql.identifier>) =>
  sql.fragment`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** ISO text, UTC, microseconds: exact, for positions (a cursor) that must survive the round trip. */
const exact = (column: ReturnType<typeof sql.identifier>) =>
  sql.fragment`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A moment: a Date (milliseconds) or RFC 3339 text (exact to the microsecond, as Postgres keeps it). */
export type Moment = Date | string;
const moment = (at: Moment) => (at instanceof Date ? at.toISOString() : at);

export interface AccountCurrencyRow {
  readonly currency: string;
  readonly balance_minor: bigint;
  /** When a posting last moved this balance (ISO, UTC); null when nothing was ever posted in it. */
  readonly updated_at: string | null;
  /** The number of the last posting in this currency; 0: a row a limit created before any posting. */
  readonly last_seq: bigint;
  /** The overdraft limit in minor units (≥ 0); null: no limit. */
  readonly overdraft_limit_minor: bigint | null;
  readonly limit_updated_at: string | null;
  readonly limit_updated_by: string | null;
}

const ACCOUNT_COLUMNS = sql.fragment`
  trim(currency) AS currency, balance_minor,
  CASE WHEN last_seq > 0 THEN ${iso(sql.identifier(["updated_at"]))} END AS updated_at,
  last_seq, overdraft_limit_minor,
  ${iso(sql.identifier(["limit_updated_at"]))} AS limit_updated_at, limit_updated_by`;

/** A ledger account's balance rows, one per currency (account_balances by its primary key); none: no such account. */
export const getAccount = async (
  db: CommonQueryMethods,
  ledgerAccount: string,
): Promise<readonly AccountCurrencyRow[]> =>
  (await db.any(sql.unsafe`
    SELECT ${ACCOUNT_COLUMNS} FROM account_balances
    WHERE ledger_account = ${ledgerAccount}
    ORDER BY currency`)) as readonly AccountCurrencyRow[];

export interface BalanceAsOfRow {
  readonly currency: string;
  /** The balance right after the newest posting at or before the moment. */
  readonly balance_minor: bigint;
  /** That posting's time (ISO, UTC) and number. */
  readonly posted_at: string;
  readonly account_seq: bigint;
}

/**
 * The account's balances as they were at `asOf`: per currency of the account, the balance after its newest
 * posting with created_at <= asOf (one index probe per currency). A currency with no posting by then is
 * left out.
 */
export const getBalancesAsOf = async (
  db: CommonQueryMethods,
  ledgerAccount: string,
  asOf: Moment,
): Promise<readonly BalanceAsOfRow[]> =>
  (await db.any(sql.unsafe`
    SELECT trim(b.currency) AS currency, p.balance_after_minor AS balance_minor,
      ${iso(sql.identifier(["p", "created_at"]))} AS posted_at, p.account_seq
    FROM account_balances AS b
    CROSS JOIN LATERAL (
      SELECT balance_after_minor, created_at, account_seq FROM postings
      WHERE postings.ledger_account = b.ledger_account AND postings.currency = b.currency
        AND postings.created_at <= ${moment(asOf)}::timestamptz
      ORDER BY postings.created_at DESC, postings.account_seq DESC
      LIMIT 1
    ) AS p
    WHERE b.ledger_account = ${ledgerAccount}
    ORDER BY b.currency`)) as readonly BalanceAsOfRow[];

/** A position in a statement: the (created_at, account_seq) of the last row a page returned. */
export interface StatementPosition {
  /** created_at as exact ISO text (UTC, microseconds). */
  readonly createdAt: string;
  readonly seq: bigint;
}

export interface StatementQuery {
  readonly ledgerAccount: string;
  readonly currency: string;
  /** Inclusive bounds on the posting time. */
  readonly from?: Moment;
  readonly to?: Moment;
  readonly limit: number;
  /** Rows strictly older than this position (the previous page's `next`). */
  readonly cursor?: StatementPosition;
}

export interface StatementRow {
  readonly transaction_id: string;
  /** The transaction's kind (payment, transfer, …); null if the transaction row is missing. */
  readonly type: string | null;
  /** Signed: credits positive, debits negative. */
  readonly amount_minor: bigint;
  readonly balance_after_minor: bigint;
  readonly account_seq: bigint;
  /** The posting's created_at (ISO, UTC, milliseconds). */
  readonly posted_at: string;
  /** The posting's created_at, exact (the cursor's). */
  readonly created_at_exact: string;
}

/**
 * One page of an account's postings in one currency, newest first by (created_at, account_seq). Reads
 * `limit + 1` postings from the index to know whether an older page exists, and joins transactions by
 * primary key for those rows only. `next`: the position to pass as `cursor` for the next page; null at
 * the end.
 */
export const getStatement = async (
  db: CommonQueryMethods,
  query: StatementQuery,
): Promise<{ rows: StatementRow[]; next: StatementPosition | null }> => {
  const conditions = [
    sql.fragment`p.ledger_account = ${query.ledgerAccount}`,
    sql.fragment`p.currency = ${query.currency}`,
  ];
  if (query.from !== undefined)
    conditions.push(sql.fragment`p.created_at >= ${moment(query.from)}::timestamptz`);
  if (query.to !== undefined) conditions.push(sql.fragment`p.created_at <= ${moment(query.to)}::timestamptz`);
  if (query.cursor !== undefined) {
    conditions.push(
      sql.fragment`(p.created_at, p.account_seq) < (${query.cursor.createdAt}::timestamptz, ${query.cursor.seq.toString()}::bigint)`,
    );
  }
  const rows = (await db.any(sql.unsafe`
    SELECT page.transaction_id::text AS transaction_id, t.type, page.amount_minor, page.balance_after_minor,
      page.account_seq, ${iso(sql.identifier(["page", "created_at"]))} AS posted_at,
      ${exact(sql.identifier(["page", "created_at"]))} AS created_at_exact
    FROM (
      SELECT p.transaction_id, p.amount_minor, p.balance_after_minor, p.account_seq, p.created_at
      FROM postings AS p
      WHERE ${sql.join(conditions, sql.fragment` AND `)}
      ORDER BY p.created_at DESC, p.account_seq DESC
      LIMIT ${query.limit + 1}
    ) AS page
    LEFT JOIN transactions AS t ON t.transaction_id = page.transaction_id
    ORDER BY page.created_at DESC, page.account_seq DESC`)) as readonly StatementRow[];
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    rows: page,
    next:
      rows.length > query.limit && last ? { createdAt: last.created_at_exact, seq: last.account_seq } : null,
  };
};

/** A statement position as an opaque cursor: base64url of "<created_at>|<account_seq>". */
export const encodeStatementCursor = (position: StatementPosition): string =>
  Buffer.from(`${position.createdAt}|${position.seq}`, "utf8").toString("base64url");

/** Returns undefined for a cursor this code did not issue. */
export const decodeStatementCursor = (token: string): StatementPosition | undefined => {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,19})$/.exec(
    Buffer.from(token, "base64url").toString("utf8"),
  );
  if (!match || Number.isNaN(Date.parse(match[1]!))) return undefined;
  const seq = BigInt(match[2]!);
  return seq > 0n && seq <= 9_223_372_036_854_775_807n ? { createdAt: match[1]!, seq } : undefined;
};
