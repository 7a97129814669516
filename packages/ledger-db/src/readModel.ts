// Read-side queries the gateway serves: one transaction, filtered pages with a cursor, the report.
// Timestamps come back as ISO text and money as bigint/strings: nothing passes through a float.
import { type CommonQueryMethods, sql } from "slonik";

export type TransactionStatus = "posted" | "rejected" | "dead_lettered" | "historical";

export interface TransactionRow {
  readonly transaction_id: string;
  readonly account_id: string | null;
  readonly amount_minor: bigint | null;
  readonly currency: string | null;
  readonly base_currency: string | null;
  readonly base_amount_minor: bigint | null;
  readonly fx_rate: string | null;
  readonly merchant_name: string | null;
  readonly merchant_category: string | null;
  /** The kind: payment, transfer, cash_in, cash_out, debit or refund (seeded rows: payment). */
  readonly type: string;
  /** A transfer's receiving account (the client's account id, not the ledger account name). */
  readonly counterparty_account_id: string | null;
  /** A refund's original, as the ledger resolved it: the original's ledger id. */
  readonly original_transaction_id: string | null;
  /** How much of this transaction refunds have given back so far, in minor units. */
  readonly refunded_minor: bigint;
  readonly status: TransactionStatus;
  readonly rejection_reasons: unknown[] | null;
  readonly dead_letter_reason: string | null;
  readonly risk_flags: string[];
  readonly source: "live" | "historical";
  readonly client_id: string | null;
  readonly payload_hash: string | null;
  readonly metadata: Record<string, unknown> | null;
  readonly occurred_at: string | null;
  readonly accepted_at: string | null;
  readonly posted_at: string | null;
  readonly recorded_at: string;
  /** Opaque position of this row in the (recorded_at, transaction_id) order. */
  readonly cursor: string;
}

const iso = (column: string) =>
  sql.fragment`to_char(${sql.identifier([column])} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const COLUMNS = sql.fragment`
  transaction_id::text AS transaction_id, account_id, amount_minor, trim(currency) AS currency,
  trim(base_currency) AS base_currency, base_amount_minor, fx_rate::text AS fx_rate, merchant_name,
  merchant_category, type, counterparty_account_id, original_transaction_id::text AS original_transaction_id,
  refunded_minor, status, rejection_reasons, dead_letter_reason, risk_flags, source, client_id,
  payload_hash, metadata,
  ${iso("occurred_at")} AS occurred_at, ${iso("accepted_at")} AS accepted_at,
  ${iso("posted_at")} AS posted_at, ${iso("recorded_at")} AS recorded_at,
  recorded_at::text || '|' || transaction_id::text AS cursor`;

/** One transaction by id; with `clientId`, only if that client submitted it. */
export const getTransaction = async (
  db: CommonQueryMethods,
  transactionId: string,
  clientId?: string,
): Promise<TransactionRow | null> =>
  (await db.maybeOne(
    sql.unsafe`SELECT ${COLUMNS} FROM transactions WHERE transaction_id = ${transactionId}::uuid${
      clientId === undefined ? sql.fragment`` : sql.fragment` AND client_id = ${clientId}`
    }`,
  )) as TransactionRow | null;

export interface TransactionFilters {
  /** Only what this client submitted (an API key with the read scope sees nothing else). */
  readonly clientId?: string;
  readonly accountId?: string;
  readonly status?: TransactionStatus;
  /** The kind (payment, transfer, …). */
  readonly type?: string;
  readonly currency?: string;
  /** occurred_at >= from (ISO text). */
  readonly from?: string;
  /** occurred_at < to (ISO text). */
  readonly to?: string;
}

export const encodeCursor = (cursor: string): string => Buffer.from(cursor, "utf8").toString("base64url");

/** Returns undefined for a cursor this code did not issue. */
export const decodeCursor = (token: string): { recordedAt: string; transactionId: string } | undefined => {
  const [recordedAt, transactionId] = Buffer.from(token, "base64url").toString("utf8").split("|");
  if (!recordedAt || !transactionId || !/^[0-9a-f-]{36}$/i.test(transactionId)) return undefined;
  if (!/^\d{4}-\d{2}-\d{2} [\d:.]+(?:[+-]\d{2}(?::\d{2})?)?$/.test(recordedAt)) return undefined;
  return { recordedAt, transactionId };
};

/** The WHERE conditions of a filter: one place, so a page, its totals and its CSV select the same rows. */
const filterConditions = (filters: TransactionFilters) => {
  const conditions = [sql.fragment`TRUE`];
  if (filters.clientId !== undefined) conditions.push(sql.fragment`client_id = ${filters.clientId}`);
  if (filters.accountId) conditions.push(sql.fragment`account_id = ${filters.accountId}`);
  if (filters.status) conditions.push(sql.fragment`status = ${filters.status}`);
  if (filters.type) conditions.push(sql.fragment`type = ${filters.type}`);
  if (filters.currency) conditions.push(sql.fragment`currency = ${filters.currency}`);
  if (filters.from) conditions.push(sql.fragment`occurred_at >= ${filters.from}::timestamptz`);
  if (filters.to) conditions.push(sql.fragment`occurred_at < ${filters.to}::timestamptz`);
  return conditions;
};

/** Newest first by (recorded_at, transaction_id); `limit + 1` rows are read to know if a next page exists. */
export const listTransactions = async (
  db: CommonQueryMethods,
  filters: TransactionFilters,
  limit: number,
  after?: { recordedAt: string; transactionId: string },
): Promise<{ rows: TransactionRow[]; nextCursor: string | null }> => {
  const conditions = filterConditions(filters);
  if (after) {
    conditions.push(
      sql.fragment`(recorded_at, transaction_id) < (${after.recordedAt}::timestamptz, ${after.transactionId}::uuid)`,
    );
  }
  const rows = (await db.any(sql.unsafe`
    SELECT ${COLUMNS} FROM transactions
    WHERE ${sql.join(conditions, sql.fragment` AND `)}
    ORDER BY transactions.recorded_at DESC, transactions.transaction_id DESC
    LIMIT ${limit + 1}`)) as readonly TransactionRow[];
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.cursor) : null };
};

export interface ReportTotalRow {
  readonly status: TransactionStatus;
  readonly currency: string;
  readonly count: number;
  readonly amount_minor: bigint;
}

/** Totals by status and currency of the rows a filter selects (dead letters without money are skipped). */
export const reportTotals = async (
  db: CommonQueryMethods,
  filters: TransactionFilters = {},
): Promise<readonly ReportTotalRow[]> =>
  (await db.any(sql.unsafe`
    SELECT status, trim(currency) AS currency, count(*)::int AS count, sum(amount_minor) AS amount_minor
    FROM transactions WHERE currency IS NOT NULL AND ${sql.join(filterConditions(filters), sql.fragment` AND `)}
    GROUP BY status, currency ORDER BY status, currency`)) as readonly ReportTotalRow[];

export interface DeadLetterSummary {
  readonly byReason: readonly { readonly reason: string; readonly count: number }[];
  readonly newest: readonly {
    readonly transaction_id: string;
    readonly reason: string;
    readonly recorded_at: string;
  }[];
}

/** Dead-lettered rows by reason code (the reason's first word) and the newest few, for the console. */
export const deadLetterSummary = async (db: CommonQueryMethods, newest = 5): Promise<DeadLetterSummary> => {
  const [byReason, latest] = await Promise.all([
    db.any(sql.unsafe`
      SELECT coalesce(nullif(split_part(dead_letter_reason, ' ', 1), ''), 'UNKNOWN') AS reason, count(*)::int AS count
      FROM transactions WHERE status = 'dead_lettered' GROUP BY 1 ORDER BY 2 DESC, 1`),
    db.any(sql.unsafe`
      SELECT transaction_id::text AS transaction_id, coalesce(dead_letter_reason, '') AS reason,
             ${iso("recorded_at")} AS recorded_at
      FROM transactions WHERE status = 'dead_lettered' ORDER BY transactions.recorded_at DESC LIMIT ${newest}`),
  ]);
  return {
    byReason: byReason as DeadLetterSummary["byReason"],
    newest: latest as DeadLetterSummary["newest"],
  };
};
