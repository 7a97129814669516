// One batch into the ledger (writeBatch.ts), with what can go wrong on the way: Postgres away (the same
// write again, after the backoff, without limit), the batch's partitions claimed by another instance since
// this session's assignment (nothing written: a new session reads the new assignment), or the database
// refusing something in the batch for good (bad text, a violated constraint): then the batch is written
// record by record, and the refused record is recorded as dead_lettered with the reason.
import type { LedgerDb, LedgerDbError } from "@ledgerline/ledger-db";
import { backoff, classifyFault, isRetryable, reportFault, StageFault } from "@ledgerline/resilience";
import { Effect } from "effect";
import type { DecodedRecord, RecordDecision } from "../domain/recordDecision.ts";
import type { WriteResult } from "../domain/writePlan.ts";
import { type WriteBatch, writeBatch } from "../writeBatch.ts";
import type { Assignment, SinkContext } from "./context.ts";

export interface Written {
  readonly decisions: RecordDecision[];
  readonly result: WriteResult;
}

/** Postgres was away or asked to try again: the same write after the backoff. A claim lost to another
 *  instance (StaleOffsets) is not for this write to retry: a new session does. */
const writeAgain = (error: LedgerDbError): boolean => {
  const { reason } = classifyFault(error);
  return reason !== "StaleOffsets" && isRetryable(reason);
};

export const writeWithRefusals = (
  context: SinkContext,
  assignment: Assignment,
  records: readonly DecodedRecord[],
  traceparentOf?: WriteBatch["traceparentOf"],
): Effect.Effect<Written, StageFault, LedgerDb> => {
  // The plan sees how often this batch was tried (a record that keeps failing says so in its dead letter).
  let attempts = 0;
  return Effect.suspend(() => {
    attempts += 1;
    return writeBatch({
      groupId: context.options.groupId,
      records,
      topicIds: assignment.topicIds,
      attempts,
      claimed: assignment.claimed,
      ledgerWork: context.options.ledgerWork ?? "double-entry",
      traceparentOf,
    });
  }).pipe(
    Effect.tapError((error) =>
      writeAgain(error)
        ? reportFault(context.health, classifyFault(error), "ledger batch not written")
        : Effect.void,
    ),
    Effect.retry({ schedule: backoff(context.retry), while: writeAgain }),
    Effect.catch((error) =>
      // Another instance claimed one of the batch's partitions since this session's assignment: nothing
      // was written; a new session reads the new assignment (never a record's fault).
      classifyFault(error).reason === "StaleOffsets"
        ? Effect.fail(new StageFault({ reason: "StaleOffsets", message: error.message, cause: error }))
        : refuse(context, assignment, records, error),
    ),
  );
};

const refuse = (
  context: SinkContext,
  assignment: Assignment,
  records: readonly DecodedRecord[],
  error: LedgerDbError,
): Effect.Effect<Written, StageFault, LedgerDb> => {
  const [only] = records;
  if (records.length > 1 || !only) {
    return Effect.logWarning("ledger batch refused; writing record by record").pipe(
      Effect.annotateLogs({ error: error.message, sqlState: error.sqlState }),
      Effect.andThen(Effect.forEach(records, (record) => writeWithRefusals(context, assignment, [record]))),
      Effect.map((parts) => ({
        decisions: parts.flatMap((p) => p.decisions),
        result: sumResults(parts.map((p) => p.result)),
      })),
    );
  }
  if (only._tag !== "Decoded") {
    return Effect.fail(
      new StageFault({
        reason: "Defect",
        message: `the database refused a dead-letter entry: ${error.message}`,
      }),
    );
  }
  const reason = `${error.sqlState ?? error.reason}: ${error.message}`;
  return Effect.logError("the database refused a record; recording it as dead_lettered").pipe(
    Effect.annotateLogs({
      topic: only.record.topic,
      partition: only.record.partition,
      offset: String(only.record.offset),
      reason,
    }),
    Effect.andThen(
      writeWithRefusals(context, assignment, [
        { _tag: "Refused", record: only.record, input: only.input, reason },
      ]),
    ),
  );
};

const NOTHING: WriteResult = {
  posted: 0,
  rejected: 0,
  deadLettered: 0,
  duplicates: 0,
  conflicts: 0,
  unapplicable: 0,
  alreadyApplied: 0,
  outboxEvents: 0,
};

const sumResults = (results: readonly WriteResult[]): WriteResult =>
  results.reduce(
    (sum, r) => ({
      posted: sum.posted + r.posted,
      rejected: sum.rejected + r.rejected,
      deadLettered: sum.deadLettered + r.deadLettered,
      duplicates: sum.duplicates + r.duplicates,
      conflicts: sum.conflicts + r.conflicts,
      unapplicable: sum.unapplicable + r.unapplicable,
      alreadyApplied: sum.alreadyApplied + r.alreadyApplied,
      outboxEvents: sum.outboxEvents + r.outboxEvents,
    }),
    NOTHING,
  );
