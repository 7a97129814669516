// The filters of a transaction listing (GET /v1/transactions, the reports), from its parsed query.
import type { TransactionListQuery } from "@ledgerline/contracts";
import type { TransactionFilters } from "@ledgerline/ledger-db";

export const filtersOf = (q: TransactionListQuery): TransactionFilters => ({
  accountId: q.account_id,
  status: q.status,
  type: q.type,
  currency: q.currency,
  from: q.from,
  to: q.to,
});
