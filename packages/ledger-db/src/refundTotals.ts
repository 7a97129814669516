// Refunds against their originals: the originals locked while the plan decides, then their refunded_minor
// raised by what the batch really wrote.
import type { DatabaseTransactionConnection } from "slonik";
import { sql } from "slonik";
import type { LedgerEntry, OriginalRow } from "./ledgerRows.ts";

/**
 * The transactions the batch's refunds name (any of `ids`), locked FOR UPDATE in a fixed order: a refund
 * of the same original written by another sink, on any partition, waits here until this batch commits,
 * then reads the refunded_minor it left. Locked only when a batch holds refunds.
 */
export const lockOriginals = async (
  tx: DatabaseTransactionConnection,
  ids: readonly string[],
): Promise<ReadonlyMap<string, OriginalRow>> => {
  if (ids.length === 0) return new Map();
  const rows = (await tx.any(sql.unsafe`
    SELECT transaction_id::text AS transaction_id, client_id, account_id, type, status, currency, amount_minor,
      refunded_minor, merchant_name, counterparty_account_id
    FROM transactions
    WHERE transaction_id = ANY(${sql.array([...new Set(ids)], "uuid")})
    ORDER BY transaction_id
    FOR UPDATE`)) as readonly OriginalRow[];
  return new Map(
    rows.map((row) => [
      row.transaction_id,
      {
        ...row,
        amount_minor: row.amount_minor === null ? null : BigInt(row.amount_minor),
        refunded_minor: BigInt(row.refunded_minor),
      },
    ]),
  );
};

/**
 * Adds the written refunds to their originals' refunded_minor, summed per original (an UPDATE … FROM
 * updates a row once however many source rows join it). The plan checked each against the original's row,
 * locked by lockOriginals; the table's CHECK refuses any sum past the original's amount.
 */
export const addRefunds = async (tx: DatabaseTransactionConnection, entries: readonly LedgerEntry[]) => {
  const totals = new Map<string, bigint>();
  for (const { refund } of entries) {
    if (refund)
      totals.set(
        refund.original_transaction_id,
        (totals.get(refund.original_transaction_id) ?? 0n) + refund.amount_minor,
      );
  }
  if (totals.size === 0) return;
  await tx.query(sql.unsafe`
    UPDATE transactions AS t SET refunded_minor = t.refunded_minor + d.amount_minor
    FROM json_to_recordset(${sql.json(
      [...totals].map(([id, amount]) => ({ transaction_id: id, amount_minor: amount.toString() })),
    )}) AS d(transaction_id uuid, amount_minor bigint)
    WHERE t.transaction_id = d.transaction_id`);
};
