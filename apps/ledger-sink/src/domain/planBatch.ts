// The sink's decision for every record of a batch, made before anything is written: given what the
// ledger already holds (stored positions, existing rows), each record is Apply, Reject, DeadLetter,
// AlreadyApplied or Conflict. Pure; the write path only executes the plan.

import { legsOfRecorded } from "@ledgerline/domain";
import {
  type ConsumedRecord,
  type DeadLetterEnvelope,
  deadLetterEnvelope,
  PoisonRecord,
} from "@ledgerline/kafka";
import {
  balanceKey,
  type Coordinates,
  type ExistingRow,
  type LedgerEntry,
  type LedgerWritePlan,
  type LimitedBalance,
  type OriginalRow,
  type OutboxEvent,
  type PayloadConflictRow,
  type StoredPosition,
} from "@ledgerline/ledger-db";
import { Data } from "effect";
import { type BatchBalances, batchBalances } from "./balances.ts";
import { deadLetterToJson } from "./deadLetterJson.ts";
import { bookingOf, originalCandidates, postedInBatch } from "./refunds.ts";
import {
  deadLetteredRow,
  deadLetterReason,
  payloadHashOf,
  refusedRow,
  rejectedEvent,
  rejectedRow,
  type SinkInput,
  transactionIdOf,
  validatedEntry,
} from "./toLedgerRows.ts";

/** A consumed record after decoding: readable, unreadable bytes, or readable but refused by the database. */
export type DecodedRecord =
  | { readonly _tag: "Decoded"; readonly record: ConsumedRecord; readonly input: SinkInput }
  | {
      readonly _tag: "Unreadable";
      readonly record: ConsumedRecord;
      readonly code: string;
      readonly errorClass: string;
      readonly message: string;
    }
  | {
      readonly _tag: "Refused";
      readonly record: ConsumedRecord;
      readonly input: SinkInput;
      readonly reason: string;
    };

export type RecordDecision = Data.TaggedEnum<{
  /** Written before: its offset is below the stored position, or its id is in the ledger with the same content. */
  AlreadyApplied: { readonly coordinates: Coordinates; readonly why: "offset" | "duplicate" };
  /** A validated record: a posted row, two postings (its kind's legs), a transactions.posted event. */
  Apply: { readonly coordinates: Coordinates; readonly entry: LedgerEntry };
  /**
   * A rejected record, or one the ledger refuses (a refund its original cannot take, a debit past its
   * account's overdraft limit): a rejected row with its reasons, and for a refusal its rejected event.
   */
  Reject: { readonly coordinates: Coordinates; readonly entry: LedgerEntry };
  /**
   * The record ends as a dead letter: a dead_lettered row when its id is known (so GET shows why), and a DLQ
   * envelope when the sink itself gave up on it (unreadable bytes, refused by the database).
   */
  DeadLetter: {
    readonly coordinates: Coordinates;
    readonly entry: LedgerEntry | null;
    readonly event: OutboxEvent | null;
  };
  /** Its id is in the ledger with other content: never applied; recorded, and dead-lettered. */
  Conflict: {
    readonly coordinates: Coordinates;
    readonly conflict: PayloadConflictRow;
    readonly event: OutboxEvent;
  };
}>;
export const RecordDecision = Data.taggedEnum<RecordDecision>();

export interface PlanContext {
  readonly now: Date;
  readonly newEventId: () => string;
  /** The stored position of a partition (locked by the writer for this batch). */
  readonly stored: (topic: string, partition: number) => StoredPosition | undefined;
  /** Rows already in the ledger for the batch's ids. */
  readonly existing: ReadonlyMap<string, ExistingRow>;
  /** The transactions the batch's refunds name, locked by the writer (refunds.ts originalCandidates). */
  readonly originals: ReadonlyMap<string, OriginalRow>;
  /** The limited accounts among those the batch may move (accountsTouched), their rows locked by the writer. */
  readonly limited: ReadonlyMap<string, LimitedBalance>;
  /** Kafka's id of each topic read, stored with the positions. */
  readonly topicIds: ReadonlyMap<string, string>;
  /** How many times this batch was attempted (carried by dead-letter envelopes). */
  readonly attempts: number;
  readonly traceparentOf: (record: ConsumedRecord) => string | null;
}

const coordinatesOf = (record: ConsumedRecord): Coordinates => ({
  topic: record.topic,
  partition: record.partition,
  offset: record.offset,
});

const dlqEvent = (
  record: ConsumedRecord,
  failure: { code: string; errorClass: string; message: string; transactionId: string | null },
  context: PlanContext,
): OutboxEvent => {
  const envelope: DeadLetterEnvelope = deadLetterEnvelope(
    record,
    new PoisonRecord({ ...failure, replayable: false }),
    { stage: "ledger-sink", attempts: context.attempts, now: context.now },
  );
  return {
    event_id: context.newEventId(),
    aggregate_id: record.key || failure.transactionId || `${record.topic}:${record.partition}`,
    topic_id: "dlq",
    event_type: "DeadLetter",
    payload: deadLetterToJson(envelope),
    traceparent: context.traceparentOf(record),
  };
};

/**
 * What the batch posted before the record at hand: later refunds find it, what it already refunded, and
 * the balances as its postings left them.
 */
interface BatchBook {
  readonly posted: Map<string, OriginalRow>;
  readonly refunded: Map<string, bigint>;
  readonly balances: BatchBalances;
}

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

const entryFor = (
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

/** One decision per record, in order. The first occurrence of an id in the batch wins. */
export const decideRecords = (records: readonly DecodedRecord[], context: PlanContext): RecordDecision[] => {
  const inBatch = new Map<string, string | null>();
  const book: BatchBook = {
    posted: new Map(),
    refunded: new Map(),
    balances: batchBalances(context.limited),
  };
  return records.map((decoded) => {
    const coordinates = coordinatesOf(decoded.record);
    const stored = context.stored(coordinates.topic, coordinates.partition);
    if (stored && coordinates.offset < stored.nextOffset) {
      return RecordDecision.AlreadyApplied({ coordinates, why: "offset" });
    }
    if (decoded._tag === "Unreadable") {
      return RecordDecision.DeadLetter({
        coordinates,
        entry: null,
        event: dlqEvent(
          decoded.record,
          {
            code: decoded.code,
            errorClass: decoded.errorClass,
            message: decoded.message,
            transactionId: null,
          },
          context,
        ),
      });
    }
    const id = transactionIdOf(decoded.input);
    // A dead letter without an id has nothing to record: its offset still moves on.
    if (id === null) return RecordDecision.DeadLetter({ coordinates, entry: null, event: null });
    if (decoded._tag === "Refused") {
      // The database refused the record's content: it still ends in the ledger, as dead_lettered with why.
      const reason = `LEDGER_REFUSED (ledger-sink): ${decoded.reason}`;
      // A row the ledger already has for the id stays as it is (the replay that could not upgrade it, or
      // another writer's): the dead letter still says why this record did not land.
      const recorded = context.existing.has(id) || inBatch.has(id);
      inBatch.set(id, null);
      return RecordDecision.DeadLetter({
        coordinates,
        entry: recorded ? null : { row: deadLetteredRow(id, reason), postings: [], events: [] },
        event: dlqEvent(
          decoded.record,
          { code: "LEDGER_REFUSED", errorClass: "LedgerDbError", message: decoded.reason, transactionId: id },
          context,
        ),
      });
    }
    const { input } = decoded;
    const hash = payloadHashOf(input);
    const existing = context.existing.get(id);
    // A record with content upgrades a dead_lettered row (a replayed dead letter); anything else already
    // in the ledger, or earlier in this batch, is the same transaction or a conflicting one.
    const upgrade = existing?.status === "dead_lettered" && input._tag !== "DeadLettered" && !inBatch.has(id);
    const firstHash = inBatch.has(id)
      ? (inBatch.get(id) ?? null)
      : existing && !upgrade
        ? existing.payload_hash
        : undefined;
    if (firstHash !== undefined) {
      if (hash !== null && firstHash !== null && hash !== firstHash) {
        return RecordDecision.Conflict({
          coordinates,
          conflict: { transaction_id: id, existing_hash: firstHash, new_hash: hash, coordinates },
          event: dlqEvent(
            decoded.record,
            {
              code: "PAYLOAD_CONFLICT",
              errorClass: "PayloadConflict",
              message: `transaction ${id} was already recorded with payload hash ${firstHash}; this record has ${hash}`,
              transactionId: id,
            },
            context,
          ),
        });
      }
      return RecordDecision.AlreadyApplied({ coordinates, why: "duplicate" });
    }
    inBatch.set(id, hash);
    return entryFor(input, decoded.record, context, id, upgrade, book);
  });
};

/** The rows, events, conflicts and positions a batch's decisions write. */
/**
 * What the sink writes per record: the full double-entry work (the product), or only the transactions rows
 * with the offsets (a benchmark mode, `bench:peers`: the same engine doing an upsert sink's work).
 */
export type LedgerWork = "double-entry" | "rows-only";

/** The plan without postings, balances and outbox events: rows, conflicts and positions only. */
export const rowsOnly = (plan: LedgerWritePlan): LedgerWritePlan => ({
  ...plan,
  entries: plan.entries.map((entry) => ({ ...entry, postings: [], events: [] })),
  events: [],
});

export const writePlanOf = (
  records: readonly DecodedRecord[],
  decisions: readonly RecordDecision[],
  context: Pick<PlanContext, "topicIds" | "limited" | "now">,
): LedgerWritePlan => {
  const entries: LedgerEntry[] = [];
  const events: OutboxEvent[] = [];
  const conflicts: PayloadConflictRow[] = [];
  for (const decision of decisions) {
    switch (decision._tag) {
      case "Apply":
      case "Reject":
        entries.push(decision.entry);
        break;
      case "DeadLetter":
        if (decision.entry) entries.push(decision.entry);
        if (decision.event) events.push(decision.event);
        break;
      case "Conflict":
        conflicts.push(decision.conflict);
        events.push(decision.event);
        break;
      case "AlreadyApplied":
        break;
    }
  }
  const next = new Map<string, StoredPosition>();
  for (const { record } of records) {
    next.set(`${record.topic}\u0000${record.partition}`, {
      topic: record.topic,
      partition: record.partition,
      nextOffset: record.offset + 1n,
      topicId: context.topicIds.get(record.topic) ?? null,
    });
  }
  return {
    entries,
    events,
    conflicts,
    positions: [...next.values()],
    limited: new Set(context.limited.keys()),
    postedAt: context.now,
  };
};

export interface WriteResult {
  readonly posted: number;
  readonly rejected: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly conflicts: number;
  /** Records the sink itself dead-lettered (unreadable, refused). */
  readonly unapplicable: number;
  /** Records dropped because Postgres had already stored their offsets (a replay after a crash). */
  readonly alreadyApplied: number;
  readonly outboxEvents: number;
}

/** Counts of what a batch did; `raced` are entries a concurrent writer had already written. */
export const summarize = (
  decisions: readonly RecordDecision[],
  raced: ReadonlySet<LedgerEntry>,
): WriteResult => {
  const count = (tag: RecordDecision["_tag"], written = true) =>
    decisions.filter(
      (d) => d._tag === tag && (!written || !("entry" in d) || d.entry === null || !raced.has(d.entry)),
    ).length;
  const events = decisions.reduce((n, d) => {
    if (d._tag === "Apply") return n + (raced.has(d.entry) ? 0 : d.entry.events.length);
    if (d._tag === "DeadLetter" || d._tag === "Conflict") return n + (d.event ? 1 : 0);
    return n;
  }, 0);
  return {
    posted: count("Apply"),
    rejected: count("Reject"),
    deadLettered: decisions.filter((d) => d._tag === "DeadLetter" && d.entry !== null && !raced.has(d.entry))
      .length,
    duplicates:
      decisions.filter((d) => d._tag === "AlreadyApplied" && d.why === "duplicate").length + raced.size,
    conflicts: count("Conflict", false),
    unapplicable: decisions.filter((d) => d._tag === "DeadLetter" && d.event !== null).length,
    alreadyApplied: decisions.filter((d) => d._tag === "AlreadyApplied" && d.why === "offset").length,
    outboxEvents: events,
  };
};
