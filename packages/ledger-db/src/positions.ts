// Where the ledger sink resumes a partition. Postgres holds the only truth: the offset stored with the
// rows it covers, and the id of the topic it was read from. Kafka's committed offset is for lag only.
// Pure, unit-tested; the sink and the `ledgerline sink` commands decide with the same function.
import { Data } from "effect";
import type { StoredPosition } from "./ledgerRows.ts";

/** What Kafka says about a partition now. */
export interface LogPosition {
  readonly topic: string;
  readonly partition: number;
  readonly topicId: string;
  /** Log start offset: anything below was deleted by retention. */
  readonly earliest: bigint;
  /** Log end offset. */
  readonly latest: bigint;
}

export type ResumeDecision = Data.TaggedEnum<{
  /** Read from the stored position. */
  Resume: { readonly offset: bigint };
  /** Never read before: from the beginning of the log. */
  Start: { readonly offset: bigint };
  /**
   * Not read until an operator decides (`ledgerline sink skip-gap | accept-topic`): records between the
   * stored position and the log start were deleted before they were applied, or the stored position
   * belongs to another incarnation of the topic (re-created, or another cluster behind this ledger).
   */
  Blocked: {
    readonly reason: "RetentionGap" | "OtherTopic" | "AheadOfLog";
    readonly stored: bigint;
    readonly detail: string;
  };
}>;
export const ResumeDecision = Data.taggedEnum<ResumeDecision>();

export const resumePosition = (stored: StoredPosition | undefined, log: LogPosition): ResumeDecision => {
  const where = `${log.topic}[${log.partition}]`;
  if (!stored) return ResumeDecision.Start({ offset: log.earliest });
  if (stored.topicId !== null && stored.topicId !== log.topicId) {
    return ResumeDecision.Blocked({
      reason: "OtherTopic",
      stored: stored.nextOffset,
      detail: `${where}: the ledger stored offset ${stored.nextOffset} for topic id ${stored.topicId}, but the topic now has id ${log.topicId} (re-created, or another Kafka cluster behind this ledger)`,
    });
  }
  if (stored.nextOffset < log.earliest) {
    return ResumeDecision.Blocked({
      reason: "RetentionGap",
      stored: stored.nextOffset,
      detail: `${where}: offsets ${stored.nextOffset} to ${log.earliest - 1n} were deleted before the ledger applied them`,
    });
  }
  if (stored.nextOffset > log.latest) {
    // Only possible for a position stored before topic ids were (no id to compare): a topic re-created
    // under the same name, shorter than what the ledger applied.
    return ResumeDecision.Blocked({
      reason: "AheadOfLog",
      stored: stored.nextOffset,
      detail: `${where}: the ledger stored offset ${stored.nextOffset} but the log ends at ${log.latest}`,
    });
  }
  return ResumeDecision.Resume({ offset: stored.nextOffset });
};
