// One batch, one Postgres transaction, read top to bottom: lock the partitions' stored positions, check this
// instance still holds them (its claim's epoch), read the rows already in the ledger, lock the originals its
// refunds name, decide every record (pure planBatch), write the plan. Dead letters the
// sink raises are outbox rows of this transaction, published by the relay after the commit.
import {
  applyPlan,
  type ClaimedPartitions,
  existingRows,
  LedgerDb,
  type LedgerEntry,
  lockOriginals,
  lockPositions,
  storedPositionOf,
  verifyClaims,
} from "@ledgerline/ledger-db";
import { Effect } from "effect";
import { v7 as uuidv7 } from "uuid";
import {
  type DecodedRecord,
  decideRecords,
  type LedgerWork,
  type RecordDecision,
  rowsOnly,
  summarize,
  writePlanOf,
} from "./domain/planBatch.ts";
import { originalCandidates } from "./domain/refunds.ts";
import { transactionIdOf } from "./domain/toLedgerRows.ts";
import { timedPostgres } from "./sinkMetrics.ts";

export interface WriteBatch {
  readonly groupId: string;
  readonly records: readonly DecodedRecord[];
  readonly topicIds: ReadonlyMap<string, string>;
  readonly attempts: number;
  /** The partitions this instance claimed at its assignment, and at which epoch. */
  readonly claimed: ClaimedPartitions;
  readonly ledgerWork: LedgerWork;
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
        const decisions: RecordDecision[] = decideRecords(batch.records, {
          now: new Date(),
          // Time-ordered ids (RFC 9562 v7): each outbox row's key lands at the right edge of outbox_pkey
          // instead of a random page, and the relay's deletes touch neighbouring keys. A random (v4) id
          // cost Postgres about 1.5 µs more per event to insert and delete.
          newEventId: () => uuidv7(),
          stored: (topic, partition) => storedPositionOf(positions, topic, partition),
          existing,
          originals,
          topicIds: batch.topicIds,
          attempts: batch.attempts,
          traceparentOf: (record) => record.headers.get("traceparent")?.toString() ?? null,
        });
        const plan = writePlanOf(batch.records, decisions, batch);
        const applied = await applyPlan(
          tx,
          batch.groupId,
          batch.ledgerWork === "rows-only" ? rowsOnly(plan) : plan,
        );
        return { decisions, result: summarize(decisions, new Set<LedgerEntry>(applied.raced)) };
      }),
    );
  });
