// Which dead letters an operator means: the same filters for list, replay and the audit row. Pure.
import type { DlqRecord } from "./scan.ts";

export interface DlqFilter {
  /** Reason codes or error classes (any of them, case-insensitive). */
  readonly reasons?: readonly string[];
  readonly stage?: string;
  /** Original topic, real name or catalogue id (e.g. "requested"). */
  readonly topic?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly account?: string;
  readonly transactionId?: string;
  /** Explicit selection: "partition:offset" DLQ coordinates or transaction ids. */
  readonly ids?: readonly string[];
}

const DURATION = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "2024-05-01T10:00:00Z", "2024-05-01" or a relative "30m" / "2h" / "7d" (ago). */
export const parseTime = (text: string, now: Date): Date | undefined => {
  const relative = DURATION.exec(text.trim());
  if (relative)
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/** The account a dead letter belongs to: its key (the producers key by account id). */
export const accountOf = (record: DlqRecord): string | undefined =>
  record.key ?? record.envelope?.original_key?.toString("utf8") ?? undefined;

export const coordinatesOf = (record: Pick<DlqRecord, "partition" | "offset">): string =>
  `${record.partition}:${record.offset}`;

export const matchesFilter = (
  record: DlqRecord,
  filter: DlqFilter,
  resolveTopic: (topic: string) => string = (topic) => topic,
): boolean => {
  const envelope = record.envelope;
  if (filter.ids && filter.ids.length > 0) {
    const ids = new Set(filter.ids.map((id) => id.toLowerCase()));
    if (
      !ids.has(coordinatesOf(record)) &&
      !(envelope?.transaction_id && ids.has(envelope.transaction_id.toLowerCase()))
    )
      return false;
  }
  if (filter.reasons && filter.reasons.length > 0) {
    const wanted = filter.reasons.map((reason) => reason.toUpperCase());
    const have = [envelope?.reason_code, envelope?.error_class]
      .filter((x): x is string => !!x)
      .map((x) => x.toUpperCase());
    if (!have.some((value) => wanted.includes(value))) return false;
  }
  if (filter.stage && envelope?.stage !== filter.stage) return false;
  if (filter.topic && envelope?.original_topic !== resolveTopic(filter.topic)) return false;
  const at = envelope?.dead_lettered_at ?? record.timestamp;
  if (filter.since && at < filter.since) return false;
  if (filter.until && at > filter.until) return false;
  if (filter.account && accountOf(record) !== filter.account) return false;
  if (filter.transactionId && envelope?.transaction_id?.toLowerCase() !== filter.transactionId.toLowerCase())
    return false;
  return true;
};

/** A stable text form of the filter (audit rows, replay group ids). Dates as ISO, keys sorted. */
export const canonicalFilter = (filter: DlqFilter): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(filter).sort() as (keyof DlqFilter)[]) {
    const value = filter[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value instanceof Date ? value.toISOString() : Array.isArray(value) ? [...value].sort() : value;
  }
  return out;
};
