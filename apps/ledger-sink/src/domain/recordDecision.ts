// The vocabulary of the sink's batch plan: a record as decoded, the decision made for it, and what the
// plan is given to decide with (what the ledger already holds, read and locked by the writer).
import type { ConsumedRecord } from "@ledgerline/kafka";
import type {
  Coordinates,
  ExistingRow,
  LedgerEntry,
  LimitedBalance,
  OriginalRow,
  OutboxEvent,
  PayloadConflictRow,
  StoredPosition,
} from "@ledgerline/ledger-db";
import { Data } from "effect";
import type { SinkInput } from "./toLedgerRows.ts";

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
