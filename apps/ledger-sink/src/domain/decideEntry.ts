// The decision for a record new to the ledger: a validated one is booked (its refund checked against its
// original, its debit against its account's limit, its postings numbered), or refused; a rejected or
// dead-lettered one is recorded as such.
import type { ConsumedRecord } from "@ledgerline/kafka";
import type { OriginalRow } from "@ledgerline/ledger-db";
import type { BatchBalances } from "./balances.ts";
import { type PlanContext, RecordDecision } from "./recordDecision.ts";
import { bookingOf, postedInBatch } from "./refunds.ts";
import {
  deadLetteredRow,
  deadLetterReason,
  refusedRow,
  rejectedEvent,
  rejectedRow,
  type SinkInput,
  validatedEntry,
} from "./toLedgerRows.ts";

/**
 * What the batch posted before the record at hand: later refunds find it, what it already refunded, and
 * the balances as its postings left them.
 */
export interface BatchBook {
  readonly posted: Map<string, OriginalRow>;
  readonly refunded: Map<string, bigint>;
  readonly balances: BatchBalances;
}

export const entryFor = (
  input: SinkInput,
  record: ConsumedRecord,
  context: PlanContext,
  id: string,
  upgrade: boolean,
  book: BatchBook,
) => {
  // A replayed dead letter's row replaces the dead_lettered one (an update); any other row is new.
  const replaces = upgrade ? { upgrade: true as const } : {};
  switch (input._tag) {
    case "Validated": {
      const value = input.value;
      const booking = bookingOf(
        value,
        (candidate) => book.posted.get(candidate) ?? context.originals.get(candidate),
        (original) => book.refunded.get(original) ?? 0n,
      );
      const refuse = (
        reason: { readonly code: string; readonly field: string; readonly message: string },
        originalId: string | null,
      ) =>
        RecordDecision.Reject({
          coordinates: input.coordinates,
          entry: {
            row: { ...refusedRow(value, reason), original_transaction_id: originalId },
            postings: [],
            events: [
              rejectedEvent(value, reason, {
                eventId: context.newEventId(),
                now: context.now,
                traceparent: context.traceparentOf(record),
              }),
            ],
            ...replaces,
          },
        });
      if (booking._tag === "Refuse") return refuse(booking, booking.originalId);
      const funds = book.balances.funds(booking.legs, value.currency, value.amount_minor);
      if (funds._tag === "Insufficient") {
        return refuse(
          {
            code: "INSUFFICIENT_FUNDS",
            field: "amount",
            message: `a debit of ${value.amount_minor} would take ${funds.ledgerAccount} from ${funds.balanceMinor} below its overdraft limit of ${funds.limitMinor} (minor units of ${value.currency})`,
          },
          booking.refundOf,
        );
      }
      const refund =
        booking.refundOf === null
          ? null
          : { originalTransactionId: booking.refundOf, amountMinor: value.amount_minor };
      if (refund)
        book.refunded.set(
          refund.originalTransactionId,
          (book.refunded.get(refund.originalTransactionId) ?? 0n) + refund.amountMinor,
        );
      book.posted.set(id, postedInBatch(value));
      return RecordDecision.Apply({
        coordinates: input.coordinates,
        entry: {
          ...validatedEntry(value, {
            eventId: context.newEventId(),
            now: context.now,
            traceparent: context.traceparentOf(record),
            legs: booking.legs,
            postings: book.balances.post(
              value.transaction_id,
              booking.legs,
              value.currency,
              value.amount_minor,
            ),
            refund,
          }),
          ...replaces,
        },
      });
    }
    case "Rejected":
      return RecordDecision.Reject({
        coordinates: input.coordinates,
        entry: { row: rejectedRow(input.value), postings: [], events: [], ...replaces },
      });
    case "DeadLettered":
      return RecordDecision.DeadLetter({
        coordinates: input.coordinates,
        entry: { row: deadLetteredRow(id, deadLetterReason(input.value)), postings: [], events: [] },
        event: null,
      });
  }
};
