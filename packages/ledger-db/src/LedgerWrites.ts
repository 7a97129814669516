// Writes a batch's plan (rows, refunds, postings, balances, outbox events, conflicts, positions) in the
// caller's transaction, in this order. Nothing here decides anything: the plan is made by the sink's pure
// planBatch. Each table's statements live beside it (transactionRows, refundTotals, balancePostings,
// outboxEvents, storedPositions, partitionClaims); this file only orders them.
import type { DatabaseTransactionConnection } from "slonik";
import { postBalances, retryBecause } from "./balancePostings.ts";
import type { LedgerEntry, LedgerWritePlan } from "./ledgerRows.ts";
import { insertEvents } from "./outboxEvents.ts";
import { addRefunds } from "./refundTotals.ts";
import { storePositions } from "./storedPositions.ts";
import { insertConflicts, insertRows } from "./transactionRows.ts";

export interface AppliedPlan {
  /** Entries whose row was written. */
  readonly written: readonly LedgerEntry[];
  /** Entries a concurrent writer had already written (another partition carrying the same id). */
  readonly raced: readonly LedgerEntry[];
}

/** Writes a batch's plan in `tx`: the rows first, then only what the really new rows imply. */
export const applyPlan = async (
  tx: DatabaseTransactionConnection,
  groupId: string,
  plan: LedgerWritePlan,
): Promise<AppliedPlan> => {
  const inserted = await insertRows(tx, plan.entries);
  const written = plan.entries.filter((entry) => inserted.has(entry.row.transaction_id));
  const raced = plan.entries.filter((entry) => !inserted.has(entry.row.transaction_id));
  // The plan decided limited accounts' debits counting every one of its rows as written. A replayed dead
  // letter another writer upgraded first is not: retry the batch, whose plan then finds it.
  if (raced.some((entry) => entry.postings.length > 0)) {
    throw retryBecause("another writer recorded one of the batch's transactions first");
  }
  await addRefunds(tx, written);
  await postBalances(
    tx,
    written.flatMap((entry) => entry.postings),
    plan.limited,
    plan.postedAt,
  );
  await insertEvents(tx, [...written.flatMap((entry) => entry.events), ...plan.events]);
  await insertConflicts(tx, plan);
  await storePositions(tx, groupId, plan.positions);
  return { written, raced };
};
