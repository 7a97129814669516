// The accounts a batch may move, computed before the plan so the writer can lock the limited ones.
import { legsOfRecorded } from "@ledgerline/domain";
import { balanceKey, type OriginalRow } from "@ledgerline/ledger-db";
import type { DecodedRecord } from "./recordDecision.ts";
import { bookingOf, originalCandidates, postedInBatch } from "./refunds.ts";

/**
 * Every account a batch's validated records could move, for the writer to lock the limited ones before the
 * plan decides:
 * each record's own legs, and for a refund the legs of any transaction its original could be (in the
 * ledger or earlier in the batch). More than the plan moves (a refusal moves nothing), never less.
 */
export const accountsTouched = (
  records: readonly DecodedRecord[],
  originals: ReadonlyMap<string, OriginalRow>,
): { ledger_account: string; currency: string }[] => {
  const validated = records.flatMap((d) =>
    d._tag === "Decoded" && d.input._tag === "Validated" ? [d.input.value] : [],
  );
  const inBatch = new Map(validated.map((value) => [value.transaction_id, postedInBatch(value)]));
  const accounts = new Map<string, { ledger_account: string; currency: string }>();
  const add = (ledgerAccount: string, currency: string) =>
    accounts.set(balanceKey(ledgerAccount, currency), { ledger_account: ledgerAccount, currency });
  for (const value of validated) {
    const booking = bookingOf(
      value,
      (id) => inBatch.get(id) ?? originals.get(id),
      () => 0n,
    );
    if (booking._tag === "Book") {
      add(booking.legs.debit, value.currency);
      add(booking.legs.credit, value.currency);
    }
    for (const candidate of originalCandidates(value)) {
      for (const row of [inBatch.get(candidate), originals.get(candidate)]) {
        // (A refund of a refund has no legs to reverse: it books nothing.)
        const legs = row && legsOfRecorded(row);
        if (!legs) continue;
        add(legs.debit, value.currency);
        add(legs.credit, value.currency);
      }
    }
  }
  return [...accounts.values()];
};
