// The one error every long-running loop of a stage fails with: `reason` says what went wrong, and
// retryPolicy.ts decides per reason what happens next. classifyFault.ts turns any thrown error into one.
import { Schema } from "effect";

export const FaultReason = Schema.Literals([
  // Transient: retried with backoff, without limit.
  /** Another instance took our transactional id, or the producer's state is unusable. */
  "Fenced",
  /** The Kafka transaction was aborted, or its commit failed: a new producer reads its batch again. */
  "Aborted",
  /** The stream started before offsets a previous owner's transaction was still committing. */
  "StaleOffsets",
  /** The consumer stream ended or failed, or group membership was lost (a failed rejoin). */
  "StreamClosed",
  /** The group or transaction coordinator is loading, moving or busy (a new or restarted broker). */
  "CoordinatorUnavailable",
  /** Connection refused or reset, a timeout, no leader: the broker is down or restarting. */
  "BrokerUnavailable",
  /** The schema registry answered 5xx, timed out or refused the connection. */
  "RegistryUnavailable",
  /** Postgres refused or lost the connection, is restarting, read-only or out of space. */
  "DatabaseUnavailable",
  // Fatal: retrying cannot help; the process says how to fix it and exits.
  /** Configuration is wrong (authentication, authorization, a fenced static member id, a bad setting). */
  "Misconfigured",
  /** A programming error. */
  "Defect",
]);
export type FaultReason = typeof FaultReason.Type;

export class StageFault extends Schema.TaggedError<StageFault>()("StageFault", {
  reason: FaultReason,
  message: Schema.String,
  /** For fatal faults: one sentence saying how to fix it. */
  fix: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect()),
}) {}
