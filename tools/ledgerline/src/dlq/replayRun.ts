// Executes a replay plan with the processor's exactly-once runner: each replayed record and the replay
// group's DLQ offsets commit in one Kafka transaction, so a crash or a re-run never re-sends a record.

import type { TopicId } from "@ledgerline/catalogue";
import type { DeadLetter } from "@ledgerline/contracts";
import {
  type ConsumedRecord,
  createAdmin,
  isDeadLetterHeader,
  type KafkaConnection,
  REPLAY_COUNT_HEADER,
  runExactlyOnce,
} from "@ledgerline/kafka";
import type { RegistryCodec } from "@ledgerline/schema-registry";
import { Effect, Fiber, References } from "effect";
import { matchesFilter } from "./filter.ts";
import { plannedKey, type ReplayOptions, type ReplayPlan, verdictFor } from "./plan.ts";
import type { DlqSnapshot } from "./scan.ts";

export const REPLAY_ID_HEADER = "ledgerline-replay-id";
export const REPLAY_ORIGIN_HEADER = "ledgerline-replay-original";
export const REPLAY_DLQ_HEADER = "ledgerline-replay-dlq";

export interface ReplayRunOptions extends ReplayOptions {
  readonly replayId: string;
  readonly connection: KafkaConnection;
  readonly codec: RegistryCodec;
  /** Records per second; undefined = as fast as the runner goes. */
  readonly rate?: number;
  readonly onReplayed?: (total: number) => void;
}

export const groupIdFor = (codec: RegistryCodec, groupKey: string) =>
  `${codec.names.group("dlqReplay")}.${groupKey}`;

/** The replay group's committed DLQ offsets (next offset to read) per partition. Not require_stable: a killed
 * replay's open transaction must not block the plan; its pending offsets are not counted until committed. */
export const committedOffsets = async (
  connection: KafkaConnection,
  topic: string,
  groupId: string,
): Promise<Map<number, bigint>> => {
  const admin = createAdmin(connection);
  try {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId], requireStable: false });
    const result = new Map<number, bigint>();
    for (const t of group?.topics ?? []) {
      if (t.name !== topic) continue;
      for (const p of t.partitions)
        if (p.committedOffset >= 0n) result.set(p.partitionIndex, p.committedOffset);
    }
    return result;
  } finally {
    await admin.close().catch(() => undefined);
  }
};

/** A shared pacing clock: each replayed record takes the next 1/rate-second slot. */
const pacer = (rate: number | undefined) => {
  let next = Date.now();
  return async () => {
    if (!rate) return;
    const slot = Math.max(Date.now(), next);
    next = slot + 1000 / rate;
    const wait = slot - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
};

export const headersOf = (
  envelope: DeadLetter,
  record: ConsumedRecord,
  replayId: string,
): Record<string, string> => {
  const headers: Record<string, string> = {};
  // A letter of a letter (the original was itself a DLQ record) would carry the first failure's DLQ headers:
  // they describe a dead-lettering, not the record, and must not reach the replayed record's topic.
  for (const [key, value] of Object.entries(envelope.original_headers ?? {}))
    if (!isDeadLetterHeader(key)) headers[key] = value.toString("utf8");
  headers[REPLAY_ID_HEADER] = replayId;
  headers[REPLAY_ORIGIN_HEADER] =
    `${envelope.original_topic}:${envelope.original_partition}:${envelope.original_offset}`;
  headers[REPLAY_DLQ_HEADER] = `${record.topic}:${record.partition}:${record.offset}`;
  // Attempt number: a record that dead-letters again carries it into its next envelope (replay_count).
  headers[REPLAY_COUNT_HEADER] = String(envelope.replay_count + 1);
  return headers;
};

export interface ReplayOutcome {
  readonly replayed: number;
}

export const runReplay = async (
  plan: ReplayPlan,
  snapshot: DlqSnapshot,
  options: ReplayRunOptions,
): Promise<ReplayOutcome> => {
  const { codec } = options;
  const names = codec.names;
  const topic = snapshot.topic;
  const groupId = groupIdFor(codec, plan.groupKey);
  const planned = new Map(plan.records.map((item) => [plannedKey(item.record), item]));
  const pace = pacer(options.rate);
  let replayed = 0;

  const transform = (record: ConsumedRecord) =>
    Effect.promise(async () => {
      const key = plannedKey(record);
      const item = planned.get(key);
      let envelope: DeadLetter | null;
      let target: TopicId;
      if (item) {
        if (item.verdict._tag !== "Replay") return [];
        envelope = item.record.envelope;
        target = item.verdict.target;
      } else {
        // Past the snapshot (dead-lettered during the replay): same filter and rules, no --max budget.
        if (record.offset <= (snapshot.lastOffsets[record.partition] ?? -1n) || options.max !== undefined)
          return [];
        envelope = await codec.decode<DeadLetter>("dlq", record.value).catch(() => null);
        const live = {
          partition: record.partition,
          offset: record.offset,
          timestamp: new Date(Number(record.timestamp)),
          key: record.key,
          headers: {},
          envelope,
          decodeError: null,
          raw: record.value,
        };
        if (!matchesFilter(live, options.filter)) return [];
        const verdict = verdictFor(live, options, names);
        if (verdict._tag !== "Replay") return [];
        target = verdict.target;
      }
      if (!envelope?.original_value) return [];
      await pace();
      // The original bytes go back unchanged: same transaction id, so the ledger still deduplicates.
      return [
        {
          topicId: target,
          key: envelope.original_key?.toString("utf8") ?? record.key,
          value: envelope.original_value,
          headers: headersOf(envelope, record, options.replayId),
        },
      ];
    });

  const runner = runExactlyOnce<TopicId>({
    connection: options.connection,
    stage: "dlq-replay",
    groupId,
    transactionalId: names.transactionalId("dlqReplay", plan.groupKey),
    inputTopics: [topic],
    topicName: (id) => names.topic(id),
    encoder: {
      encode: (id, value) => (Buffer.isBuffer(value) ? Promise.resolve(value) : codec.encode(id, value)),
    },
    dlqTopic: "dlq",
    transform,
    maxBatchSize: options.rate ? Math.max(1, Math.min(500, Math.ceil(options.rate / 4))) : 200,
    maxBatchTimeMs: 100,
    onBatch: (stats) => {
      replayed += stats.outputs - stats.deadLetters;
      options.onReplayed?.(replayed);
    },
  }).pipe(Effect.scoped, Effect.provideService(References.MinimumLogLevel, "Warn"));

  // Done when the group's committed DLQ position covers every record of the snapshot. While the broker is
  // away the question has no answer yet: ask again (the runner itself retries its own faults forever).
  const covered = async () => {
    const committed = await committedOffsets(options.connection, topic, groupId).catch(() => null);
    if (committed === null) return false;
    return snapshot.lastOffsets.every(
      (last, partition) => last < 0n || (committed.get(partition) ?? 0n) > last,
    );
  };
  const fiber = Effect.runFork(runner);
  try {
    for (;;) {
      if (fiber.pollUnsafe()) throw new Error("the replay runner stopped unexpectedly");
      if (await covered()) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await Effect.runPromise(Fiber.interrupt(fiber));
  }
  return { replayed };
};
