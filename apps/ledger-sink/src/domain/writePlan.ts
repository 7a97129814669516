// What a batch's decisions write (rows, events, conflicts, positions), and the counts of what it did.
import type {
  LedgerEntry,
  LedgerWritePlan,
  OutboxEvent,
  PayloadConflictRow,
  StoredPosition,
} from "@ledgerline/ledger-db";
import type { DecodedRecord, PlanContext, RecordDecision } from "./recordDecision.ts";

/**
 * What the sink writes per record: the full double-entry work (the product), or only the transactions rows
 * with the offsets (a benchmark mode, `bench:peers`: the same engine doing an upsert sink's work).
 */
export type LedgerWork = "double-entry" | "rows-only";

/** The plan without postings, balances and outbox events: rows, conflicts and positions only. */
export const rowsOnly = (plan: LedgerWritePlan): LedgerWritePlan => ({
  ...plan,
  entries: plan.entries.map((entry) => ({ ...entry, postings: [], events: [] })),
  events: [],
});

/** The rows, events, conflicts and positions a batch's decisions write. */
export const writePlanOf = (
  records: readonly DecodedRecord[],
  decisions: readonly RecordDecision[],
  context: Pick<PlanContext, "topicIds" | "limited" | "now">,
): LedgerWritePlan => {
  const entries: LedgerEntry[] = [];
  const events: OutboxEvent[] = [];
  const conflicts: PayloadConflictRow[] = [];
  for (const decision of decisions) {
    switch (decision._tag) {
      case "Apply":
      case "Reject":
        entries.push(decision.entry);
        break;
      case "DeadLetter":
        if (decision.entry) entries.push(decision.entry);
        if (decision.event) events.push(decision.event);
        break;
      case "Conflict":
        conflicts.push(decision.conflict);
        events.push(decision.event);
        break;
      case "AlreadyApplied":
        break;
    }
  }
  const next = new Map<string, StoredPosition>();
  for (const { record } of records) {
    next.set(`${record.topic}\u0000${record.partition}`, {
      topic: record.topic,
      partition: record.partition,
      nextOffset: record.offset + 1n,
      topicId: context.topicIds.get(record.topic) ?? null,
    });
  }
  return {
    entries,
    events,
    conflicts,
    positions: [...next.values()],
    limited: new Set(context.limited.keys()),
    postedAt: context.now,
  };
};

export interface WriteResult {
  readonly posted: number;
  readonly rejected: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly conflicts: number;
  /** Records the sink itself dead-lettered (unreadable, refused). */
  readonly unapplicable: number;
  /** Records dropped because Postgres had already stored their offsets (a replay after a crash). */
  readonly alreadyApplied: number;
  readonly outboxEvents: number;
}

/** Counts of what a batch did; `raced` are entries a concurrent writer had already written. */
export const summarize = (
  decisions: readonly RecordDecision[],
  raced: ReadonlySet<LedgerEntry>,
): WriteResult => {
  const count = (tag: RecordDecision["_tag"], written = true) =>
    decisions.filter(
      (d) => d._tag === tag && (!written || !("entry" in d) || d.entry === null || !raced.has(d.entry)),
    ).length;
  const events = decisions.reduce((n, d) => {
    if (d._tag === "Apply") return n + (raced.has(d.entry) ? 0 : d.entry.events.length);
    if (d._tag === "DeadLetter" || d._tag === "Conflict") return n + (d.event ? 1 : 0);
    return n;
  }, 0);
  return {
    posted: count("Apply"),
    rejected: count("Reject"),
    deadLettered: decisions.filter((d) => d._tag === "DeadLetter" && d.entry !== null && !raced.has(d.entry))
      .length,
    duplicates:
      decisions.filter((d) => d._tag === "AlreadyApplied" && d.why === "duplicate").length + raced.size,
    conflicts: count("Conflict", false),
    unapplicable: decisions.filter((d) => d._tag === "DeadLetter" && d.event !== null).length,
    alreadyApplied: decisions.filter((d) => d._tag === "AlreadyApplied" && d.why === "offset").length,
    outboxEvents: events,
  };
};
