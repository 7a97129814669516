// Consumed records → what the plan reads: a decoded input, or unreadable bytes with the reason. A
// registry outage is not a property of a record: it fails the whole batch (retried, offsets unmoved).
import type { Names } from "@ledgerline/catalogue";
import type { DeadLetter, TransactionRejected, TransactionValidated } from "@ledgerline/contracts";
import { type ConsumedRecord, describeError } from "@ledgerline/kafka";
import { isRecordFault, StageFault } from "@ledgerline/resilience";
import { type RegistryCodec, RegistryError } from "@ledgerline/schema-registry";
import { Effect } from "effect";
import type { DecodedRecord } from "./domain/recordDecision.ts";
import type { SinkInput } from "./domain/toLedgerRows.ts";

/** The record's value decoded with its topic's schema, tagged with what it is to the plan. */
const decodeInput = async (
  codec: RegistryCodec,
  names: Names,
  record: ConsumedRecord,
): Promise<SinkInput> => {
  const coordinates = { topic: record.topic, partition: record.partition, offset: record.offset };
  switch (names.topicIdOf(record.topic)) {
    case "validated":
      return {
        _tag: "Validated",
        coordinates,
        value: await codec.decode<TransactionValidated>("validated", record.value),
      };
    case "rejected":
      return {
        _tag: "Rejected",
        coordinates,
        value: await codec.decode<TransactionRejected>("rejected", record.value),
      };
    case "dlq":
      return {
        _tag: "DeadLettered",
        coordinates,
        value: await codec.decode<DeadLetter>("dlq", record.value),
      };
    default:
      throw new Error(`unexpected topic ${record.topic}`);
  }
};

const decodeOne = async (
  codec: RegistryCodec,
  names: Names,
  record: ConsumedRecord,
): Promise<DecodedRecord> => {
  try {
    return { _tag: "Decoded", record, input: await decodeInput(codec, names, record) };
  } catch (error) {
    // Not the record's fault (the registry is down or refuses our credentials): the batch fails instead.
    if (!isRecordFault(error)) throw error;
    return {
      _tag: "Unreadable",
      record,
      code: error instanceof RegistryError ? error.reason : "MALFORMED_PAYLOAD",
      errorClass: error instanceof Error ? error.name : typeof error,
      message: describeError(error),
    };
  }
};

export const decodeBatch = (codec: RegistryCodec, names: Names, records: readonly ConsumedRecord[]) =>
  Effect.tryPromise({
    try: () => Promise.all(records.map((record) => decodeOne(codec, names, record))),
    catch: (error) =>
      new StageFault({
        reason: "RegistryUnavailable",
        message: `decode batch: ${describeError(error)}`,
        cause: error,
      }),
  });
