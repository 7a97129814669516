// Where each partition's stream starts, from Postgres alone: the stored position and the topic id it
// belongs to, against the log's start and end and the topic's id now (resumePosition in ledger-db).
// A blocked partition is read from its end and its records are dropped, so nothing is skipped silently
// and nothing floods memory, until an operator decides (`ledgerline sink skip-gap | accept-topic`).
import { describeError, type RecordConsumer } from "@ledgerline/kafka";
import { LedgerDb, ResumeDecision, readPositions, resumePosition } from "@ledgerline/ledger-db";
import { StageFault } from "@ledgerline/resilience";
import { ListOffsetTimestamps } from "@platformatic/kafka";
import { Effect } from "effect";

export interface BlockedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly reason: "RetentionGap" | "OtherTopic" | "AheadOfLog";
  readonly detail: string;
}

export interface ResumePlan {
  /** Manual start offsets for every partition of the input topics. */
  readonly offsets: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly offset: bigint;
  }[];
  readonly blocked: readonly BlockedPartition[];
  readonly topicIds: ReadonlyMap<string, string>;
  /** Partitions read from the log start because the ledger never stored a position for them. */
  readonly started: number;
}

export const blockedKey = (topic: string, partition: number) => `${topic}:${partition}`;

export const planResume = (consumer: RecordConsumer, groupId: string, topics: readonly string[]) =>
  Effect.gen(function* () {
    const db = yield* LedgerDb;
    const kafka = (what: string, call: () => Promise<unknown>) =>
      Effect.tryPromise({
        try: call,
        catch: (error) =>
          new StageFault({
            reason: "BrokerUnavailable",
            message: `${what}: ${describeError(error)}`,
            cause: error,
          }),
      });
    const metadata = (yield* kafka("metadata", () => consumer.metadata({ topics: [...topics] }))) as {
      topics: Map<string, { id: string }>;
    };
    const earliest = (yield* kafka("list earliest offsets", () =>
      consumer.listOffsets({ topics: [...topics], timestamp: ListOffsetTimestamps.EARLIEST }),
    )) as Map<string, bigint[]>;
    const latest = (yield* kafka("list latest offsets", () =>
      consumer.listOffsets({ topics: [...topics], timestamp: ListOffsetTimestamps.LATEST }),
    )) as Map<string, bigint[]>;
    const stored = yield* db.use("read stored positions", (pool) => readPositions(pool, groupId));
    const storedOf = new Map(stored.map((p) => [blockedKey(p.topic, p.partition), p]));
    const topicIds = new Map<string, string>();
    const offsets: { topic: string; partition: number; offset: bigint }[] = [];
    const blocked: BlockedPartition[] = [];
    let started = 0;
    for (const topic of topics) {
      const topicId = metadata.topics.get(topic)?.id ?? "";
      topicIds.set(topic, topicId);
      (earliest.get(topic) ?? []).forEach((first, partition) => {
        const end = latest.get(topic)?.[partition] ?? first;
        const decision = resumePosition(storedOf.get(blockedKey(topic, partition)), {
          topic,
          partition,
          topicId,
          earliest: first,
          latest: end,
        });
        switch (decision._tag) {
          case "Resume":
            offsets.push({ topic, partition, offset: decision.offset });
            break;
          case "Start":
            started += 1;
            offsets.push({ topic, partition, offset: decision.offset });
            break;
          case "Blocked":
            blocked.push({ topic, partition, reason: decision.reason, detail: decision.detail });
            offsets.push({ topic, partition, offset: end });
            break;
        }
      });
    }
    return { offsets, blocked, topicIds, started } satisfies ResumePlan;
  });

export { ResumeDecision };
