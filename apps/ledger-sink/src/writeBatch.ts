// One batch, one Postgres transaction, read top to bottom: lock the partitions' stored positions, check this
// instance still holds them (its claim's epoch), read the rows already in the ledger, lock the originals its
// refunds name, lock the balance rows of the limited accounts it may move, decide every record (pure
// planBatch), write the plan (whose balance upsert locks the other balance rows it moves). Locks are taken
// in that order, each kind in a fixed order, so two batches do not deadlock. Dead letters the sink raises are outbox rows of this transaction, published by the relay
// after the commit.
import type { ConsumedRecord } from "@ledgerline/kafka";
import {
  applyPlan,
  type ClaimedPartitions,
  existingRows,
  LedgerDb,
  type LedgerEntry,
  lockLimitedBalances,
  lockOriginals,
  lockPositions,
  storedPositionOf,
  verifyClaims,
} from "@ledgerline/ledger-db";
import { Effect } from "effect";
import { v7 as uuidv7 } from "uuid";
import { accountsTouched } from "./domain/accountsTouched.ts";
import { decideRecords } from "./domain/planBatch.ts";
import type { DecodedRecord, PlanContext, RecordDecision } from "./domain/recordDecision.ts";
import { originalCandidates } from "./domain/refunds.ts";
import { transactionIdOf } from "./domain/toLedgerRows.ts";
import { type LedgerWork, rowsOnly, summarize, writePlanOf } from "./domain/writePlan.ts";
import { timedPostgres } from "./sinkMetrics.ts";
import { headerTraceparent } from "./sinkTracing.ts";

export interface WriteBatch {
  readonly groupId: string;
  readonly records: readonly DecodedRecord[];
  readonly topicIds: ReadonlyMap<string, string>;
  readonly attempts: number;
  /** The partitions this instance claimed at its assignment, and at which epoch. */
  readonly claimed: ClaimedPartitions;
  readonly ledgerWork: LedgerWork;
  /** The traceparent the outbox keeps for a record (its ledger-write span's, when tracing is on). */
  readonly traceparentOf?: ((record: ConsumedRecord) => string | null) | undefined;
}

export const writeBatch = (batch: WriteBatch) =>
  Effect.gen(function* () {
    const db = yield* LedgerDb;
    return yield* timedPostgres(
      "write_batch",
      db.transaction("write batch", async (tx) => {
        const partitions = [
          ...new Map(batch.records.map(({ record: r }) => [`${r.topic}:${r.partition}`, r])).values(),
        ];
        const positions = await lockPositions(tx, batch.groupId, partitions);
        await verifyClaims(tx, batch.groupId, partitions, batch.claimed);
        const ids = batch.records.flatMap((d) => (d._tag === "Unreadable" ? [] : [transactionIdOf(d.input)]));
        const existing = await existingRows(
          tx,
          ids.filter((id): id is string => id !== null),
        );
        // The originals the batch's refunds name, row-locked until the commit: a refund of the same
        // original on any other partition or sink waits, then reads what this batch refunded.
        const originals = await lockOriginals(
          tx,
          batch.records.flatMap((d) =>
            d._tag === "Decoded" && d.input._tag === "Validated" ? originalCandidates(d.input.value) : [],
          ),
        );
        // The limited accounts the batch may move, their balance rows locked until the commit: a debit of
        // one is decided against its balance as it stands, and no other batch moves it meanwhile.
        const limited = await lockLimitedBalances(tx, accountsTouched(batch.records, originals));
        const context: PlanContext = {
          // Taken after the limited rows' locks: every earlier batch on a limited account has committed,
          // so this batch's postings of it, and its refusals, are dated after all of that account's others.
          now: new Date(),
          // Time-ordered ids (RFC 9562 v7): each outbox row's key lands at the right edge of outbox_pkey
          // instead of a random page, and the relay's deletes touch neighbouring keys. A random (v4) id
          // cost Postgres about 1.5 µs more per event to insert and delete.
          newEventId: () => uuidv7(),
          stored: (topic, partition) => storedPositionOf(positions, topic, partition),
          existing,
          originals,
          limited,
          topicIds: batch.topicIds,
          attempts: batch.attempts,
          traceparentOf: batch.traceparentOf ?? headerTraceparent,
        };
        const decisions: RecordDecision[] = decideRecords(batch.records, context);
        const plan = writePlanOf(batch.records, decisions, context);
        const applied = await applyPlan(
          tx,
          batch.groupId,
          batch.ledgerWork === "rows-only" ? rowsOnly(plan) : plan,
        );
        return { decisions, result: summarize(decisions, new Set<LedgerEntry>(applied.raced)) };
      }),
    );
  });
