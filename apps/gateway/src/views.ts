// Ledger rows → the JSON the API returns (exact decimal text for money).
import type {
  AccountBalance,
  AccountView,
  ReportRow,
  StatementEntry,
  TransactionView,
} from "@ledgerline/contracts";
import { formatMinor, isSupportedCurrency } from "@ledgerline/domain";
import type { AccountCurrencyRow, BalanceAsOfRow, StatementRow, TransactionRow } from "@ledgerline/ledger-db";

export const decimalText = (minor: bigint | null, currency: string | null): string => {
  if (minor === null) return "";
  return currency && isSupportedCurrency(currency) ? formatMinor(minor, currency) : minor.toString();
};

export const toView = (row: TransactionRow): TransactionView => ({
  transaction_id: row.transaction_id,
  // The ledger holds only the kinds the pipeline knows (its writer decides them from the same list).
  type: row.type as TransactionView["type"],
  account_id: row.account_id ?? "",
  amount: decimalText(row.amount_minor, row.currency),
  amount_minor: row.amount_minor?.toString() ?? "",
  currency: row.currency ?? "",
  base_currency: row.base_currency,
  base_amount_minor: row.base_amount_minor?.toString() ?? null,
  merchant_name: row.merchant_name,
  merchant_category: row.merchant_category,
  counterparty_account_id: row.counterparty_account_id,
  original_transaction_id: row.original_transaction_id,
  refunded_amount: decimalText(row.refunded_minor, row.currency),
  refunded_amount_minor: row.refunded_minor.toString(),
  status: row.status,
  rejection_reasons: row.rejection_reasons,
  dead_letter_reason: row.dead_letter_reason,
  risk_flags: [...(row.risk_flags ?? [])],
  source: row.source,
  client_id: row.client_id,
  occurred_at: row.occurred_at,
  accepted_at: row.accepted_at,
  posted_at: row.posted_at,
  recorded_at: row.recorded_at,
  metadata: row.metadata,
});

/** Seed 002's words: seeded rows are Historical, rows posted by the live pipeline Completed. */
export const STATUS_LABELS: Record<TransactionRow["status"], string> = {
  historical: "Historical",
  posted: "Completed",
  rejected: "Rejected",
  dead_lettered: "Dead-lettered",
};

export const toReportRow = (row: TransactionRow): ReportRow => ({
  transaction_id: row.transaction_id,
  account_id: row.account_id ?? "",
  amount: decimalText(row.amount_minor, row.currency),
  currency: row.currency ?? "",
  merchant_name: row.merchant_name,
  status: STATUS_LABELS[row.status],
  occurred_at: row.occurred_at,
});

/** A balance and its limit (current) → one entry of an account's balances. */
const toAccountBalance = (
  row: AccountCurrencyRow,
  balanceMinor: bigint,
  updatedAt: string | null,
): AccountBalance => {
  const limit = row.overdraft_limit_minor;
  const available = limit === null ? null : balanceMinor + limit;
  return {
    currency: row.currency,
    balance: decimalText(balanceMinor, row.currency),
    balance_minor: balanceMinor.toString(),
    updated_at: updatedAt,
    overdraft_limit: limit === null ? null : decimalText(limit, row.currency),
    overdraft_limit_minor: limit?.toString() ?? null,
    available: available === null ? null : decimalText(available, row.currency),
    available_minor: available?.toString() ?? null,
    limit_updated_at: row.limit_updated_at,
    limit_updated_by: row.limit_updated_by,
  };
};

/**
 * A customer account's balance rows (at least one) → GET /v1/accounts/{account_id}'s answer. With `asOf`,
 * the balances are those of the postings by that moment (currencies without one left out) and the limits
 * the current ones.
 */
export const toAccountView = (
  accountId: string,
  clientId: string,
  ledgerAccount: string,
  rows: readonly AccountCurrencyRow[],
  asOf?: { readonly moment: string; readonly balances: readonly BalanceAsOfRow[] },
): AccountView => {
  const balances =
    asOf === undefined
      ? rows.map((row) => toAccountBalance(row, row.balance_minor, row.updated_at))
      : asOf.balances.flatMap((then) => {
          const row = rows.find((r) => r.currency === then.currency);
          return row === undefined ? [] : [toAccountBalance(row, then.balance_minor, then.posted_at)];
        });
  // ISO text of one format (UTC, milliseconds): the greatest string is the latest time. A row a limit
  // created before any posting has none.
  const last =
    balances
      .map((b) => b.updated_at)
      .filter((at): at is string => at !== null)
      .sort()
      .at(-1) ?? null;
  return {
    account_id: accountId,
    client_id: clientId,
    ledger_account: ledgerAccount,
    as_of: asOf?.moment ?? null,
    balances,
    last_posting_at: last,
  };
};

/** A statement row → one entry of GET /v1/accounts/{account_id}/statement (signed amounts, exact). */
export const toStatementEntry = (row: StatementRow, currency: string): StatementEntry => ({
  transaction_id: row.transaction_id,
  // The ledger holds only the kinds the pipeline knows (its writer decides them from the same list).
  type: row.type as StatementEntry["type"],
  posted_at: row.posted_at,
  amount: decimalText(row.amount_minor, currency),
  amount_minor: row.amount_minor.toString(),
  balance_after: decimalText(row.balance_after_minor, currency),
  balance_after_minor: row.balance_after_minor.toString(),
  seq: Number(row.account_seq),
});
