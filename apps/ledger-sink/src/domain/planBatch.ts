// The sink's decision for every record of a batch, made before anything is written: given what the
// ledger already holds (stored positions, existing rows), each record is Apply, Reject, DeadLetter,
// AlreadyApplied or Conflict. Pure; the write path only executes the plan.
// The vocabulary is in recordDecision.ts, a new record's booking in decideEntry.ts, the write plan and
// the counts in writePlan.ts.

import {
  type ConsumedRecord,
  type DeadLetterEnvelope,
  deadLetterEnvelope,
  PoisonRecord,
} from "@ledgerline/kafka";
import type { Coordinates, OutboxEvent } from "@ledgerline/ledger-db";
import { batchBalances } from "./balances.ts";
import { deadLetterToJson } from "./deadLetterJson.ts";
import { type BatchBook, entryFor } from "./decideEntry.ts";
import { type DecodedRecord, type PlanContext, RecordDecision } from "./recordDecision.ts";
import { deadLetteredRow, payloadHashOf, transactionIdOf } from "./toLedgerRows.ts";

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
