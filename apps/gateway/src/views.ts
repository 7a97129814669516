// Ledger rows → the JSON the API returns (exact decimal text for money).
import type { AccountView, ReportRow, TransactionView } from "@ledgerline/contracts";
import { formatMinor, isSupportedCurrency } from "@ledgerline/domain";
import type { AccountBalanceRow, TransactionRow } from "@ledgerline/ledger-db";

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

/** A customer account's balance rows → GET /v1/accounts/{account_id}'s answer (rows: at least one). */
export const toAccountView = (
  accountId: string,
  clientId: string,
  ledgerAccount: string,
  rows: readonly AccountBalanceRow[],
): AccountView => {
  const balances = rows.map((row) => ({
    currency: row.currency,
    balance: decimalText(row.balance_minor, row.currency),
    balance_minor: row.balance_minor.toString(),
    updated_at: row.updated_at,
  }));
  // ISO text of one format (UTC, milliseconds): the greatest string is the latest time.
  const last =
    balances
      .map((b) => b.updated_at)
      .sort()
      .at(-1) ?? "";
  return {
    account_id: accountId,
    client_id: clientId,
    ledger_account: ledgerAccount,
    balances,
    last_posting_at: last,
  };
};
