// What a replay would do with each selected dead letter. Pure: decided from the snapshot and the group's progress.
import { createHash } from "node:crypto";
import { type Names, stages, type TopicId, topics } from "@ledgerline/catalogue";
import { canonicalFilter, coordinatesOf, type DlqFilter, matchesFilter } from "./filter.ts";
import type { DlqRecord, DlqSnapshot } from "./scan.ts";

export type Verdict =
  | { readonly _tag: "Replay"; readonly target: TopicId }
  | { readonly _tag: "AlreadyReplayed" }
  | { readonly _tag: "Refused"; readonly why: string }
  | { readonly _tag: "Parked"; readonly why: string }
  | { readonly _tag: "OverMax" };

export interface PlannedRecord {
  readonly record: DlqRecord;
  readonly verdict: Verdict;
}

export interface ReplayOptions {
  readonly filter: DlqFilter;
  /** Catalogue id of a declared topic to write to instead of each record's original topic. */
  readonly to?: TopicId;
  readonly max?: number;
  readonly force: boolean;
  /** A record replayed this many times that dead-letters again is parked. */
  readonly maxReplays: number;
}

export interface ReplayPlan {
  readonly groupKey: string;
  readonly records: readonly PlannedRecord[];
  readonly counts: {
    selected: number;
    replay: number;
    alreadyReplayed: number;
    refused: number;
    parked: number;
    overMax: number;
  };
}

/** Topics a replay may write to (the replay stage's declared outputs). */
export const replayTargets: readonly TopicId[] = stages.dlqReplay.outputs;

/**
 * The replay group is named after the selection, so running the same replay again (after a crash, or
 * twice) continues from the progress it committed on the DLQ and never re-sends a record.
 */
export const replayGroupKey = (options: ReplayOptions): string =>
  createHash("sha256")
    .update(
      JSON.stringify({
        filter: canonicalFilter(options.filter),
        to: options.to ?? null,
        max: options.max ?? null,
      }),
    )
    .digest("hex")
    .slice(0, 16);

/** The decision for one dead letter that matches the filter (also used for records arriving mid-replay). */
export const verdictFor = (
  record: DlqRecord,
  options: ReplayOptions,
  names: Names,
): Exclude<Verdict, { _tag: "AlreadyReplayed" | "OverMax" }> => {
  const envelope = record.envelope;
  if (!envelope)
    return { _tag: "Refused", why: `the DLQ record cannot be decoded: ${record.decodeError ?? "unknown"}` };
  if (!envelope.original_value)
    return { _tag: "Refused", why: "the dead letter has no original value to replay" };
  const target = options.to ?? names.topicIdOf(envelope.original_topic);
  if (!target)
    return { _tag: "Refused", why: `original topic ${envelope.original_topic} is not declared in topology/` };
  if (!replayTargets.includes(target))
    return { _tag: "Refused", why: `topic ${target} is not a replay target (${replayTargets.join(", ")})` };
  if (envelope.replay_count >= options.maxReplays) {
    return {
      _tag: "Parked",
      why: `already replayed ${envelope.replay_count} time(s) and dead-lettered again`,
    };
  }
  if (!envelope.retryable && !options.force) {
    return {
      _tag: "Refused",
      why: `${envelope.reason_code} cannot succeed by retrying (use --force to replay anyway)`,
    };
  }
  return { _tag: "Replay", target };
};

export const planReplay = (
  snapshot: DlqSnapshot,
  committed: ReadonlyMap<number, bigint>,
  options: ReplayOptions,
  names: Names,
): ReplayPlan => {
  const resolveTopic = (topic: string) => (topic in topics ? names.topic(topic as TopicId) : topic);
  let budget = options.max ?? Number.POSITIVE_INFINITY;
  const records = snapshot.records
    .filter((record) => matchesFilter(record, options.filter, resolveTopic))
    .map((record): PlannedRecord => {
      if (record.offset < (committed.get(record.partition) ?? -1n))
        return { record, verdict: { _tag: "AlreadyReplayed" } };
      const verdict = verdictFor(record, options, names);
      if (verdict._tag !== "Replay") return { record, verdict };
      if (budget <= 0) return { record, verdict: { _tag: "OverMax" } };
      budget -= 1;
      return { record, verdict };
    });
  const count = (tag: Verdict["_tag"]) => records.filter((r) => r.verdict._tag === tag).length;
  return {
    groupKey: replayGroupKey(options),
    records,
    counts: {
      selected: records.length,
      replay: count("Replay"),
      alreadyReplayed: count("AlreadyReplayed"),
      refused: count("Refused"),
      parked: count("Parked"),
      overMax: count("OverMax"),
    },
  };
};

export const plannedKey = coordinatesOf;
