// Classifies @platformatic/kafka errors for the runner: fencing and fatal producer states need a new producer.
import { findErrorBy } from "@platformatic/kafka";

const FENCING_IDS = [
  "INVALID_PRODUCER_EPOCH",
  "PRODUCER_FENCED",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
  "INVALID_PRODUCER_ID_MAPPING",
  "INVALID_TXN_STATE",
  "UNKNOWN_PRODUCER_ID",
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
] as const;

/** Another instance took our transactional id, or the producer's state is unusable: re-create it. */
export const isFencedOrFatal = (error: unknown): boolean =>
  FENCING_IDS.some((id) => findErrorBy(error as Error, "apiId", id) !== null) ||
  findErrorBy(error as Error, "producerFenced", true) !== null;

/** Offsets fetched while another member's transaction still holds pending offsets for the partition. */
export const isUnstableOffsets = (error: unknown): boolean =>
  findErrorBy(error as Error, "apiId", "UNSTABLE_OFFSET_COMMIT") !== null;

export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const nested = (error as { errors?: unknown[] }).errors;
  const inner =
    Array.isArray(nested) && nested.length > 0 ? ` (${nested.map(describeError).join("; ")})` : "";
  const cause = error.cause instanceof Error ? ` [cause: ${describeError(error.cause)}]` : "";
  return `${error.name}: ${error.message}${inner}${cause}`;
};
