// Consumer lag per group and partition: the log end offset under read_committed (the last stable offset)
// minus the group's committed offset, sampled on a timer with two admin requests — never per record.
// Every stage samples every pipeline group, so a stopped stage's lag is still reported by the others.
import { metrics } from "@ledgerline/observability";
import { Admin, type AdminOptions, FetchIsolationLevels, ListOffsetTimestamps } from "@platformatic/kafka";
import { Effect, Schedule } from "effect";

export interface LaggingGroup {
  readonly groupId: string;
  readonly topics: readonly string[];
}

export interface LagSample {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** One sample of every group's lag; a partition the group never committed counts from the log start. */
export const sampleConsumerLag = async (
  admin: Admin,
  groups: readonly LaggingGroup[],
): Promise<LagSample[]> => {
  const topics = [...new Set(groups.flatMap((group) => group.topics))];
  const metadata = await admin.metadata({ topics });
  const partitionsOf = (name: string) =>
    Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, index) => index);
  const request = (timestamp: bigint) => ({
    topics: topics.map((name) => ({
      name,
      partitions: Array.from(
        { length: metadata.topics.get(name)?.partitionsCount ?? 0 },
        (_, partitionIndex) => ({
          partitionIndex,
          timestamp,
        }),
      ),
    })),
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  });
  const [ends, starts, committed] = await Promise.all([
    admin.listOffsets(request(ListOffsetTimestamps.LATEST)),
    admin.listOffsets(request(ListOffsetTimestamps.EARLIEST)),
    admin.listConsumerGroupOffsets({
      groups: groups.map((group) => ({
        groupId: group.groupId,
        topics: group.topics.map((name) => ({ name, partitionIndexes: partitionsOf(name) })),
      })),
      requireStable: false,
    }),
  ]);
  const offsetOf = (listed: typeof ends, topic: string, partition: number) =>
    listed.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)?.offset ??
    0n;
  const samples: LagSample[] = [];
  for (const group of groups) {
    const groupOffsets = committed.find((g) => g.groupId === group.groupId);
    for (const topic of group.topics) {
      for (const p of ends.find((t) => t.name === topic)?.partitions ?? []) {
        const stored = groupOffsets?.topics
          .find((t) => t.name === topic)
          ?.partitions.find((c) => c.partitionIndex === p.partitionIndex)?.committedOffset;
        const from =
          stored !== undefined && stored >= 0n ? stored : offsetOf(starts, topic, p.partitionIndex);
        const lag = p.offset - from;
        samples.push({
          groupId: group.groupId,
          topic,
          partition: p.partitionIndex,
          lag: Number(lag > 0n ? lag : 0n),
        });
      }
    }
  }
  return samples;
};

/** Samples lag every `intervalMs` into ledgerline_kafka_consumer_lag_records, for the life of the scope. */
export const monitorConsumerLag = (options: {
  readonly bootstrapBrokers: readonly string[];
  readonly clientId: string;
  /** SASL and TLS of a secured cluster (securityOptions in security.ts). */
  readonly security?: Pick<AdminOptions, "sasl" | "tls">;
  readonly groups: readonly LaggingGroup[];
  /** Labels a topic (e.g. its logical id, so dashboards work across namespaces). */
  readonly topicLabel?: (topic: string) => string;
  readonly intervalMs: number;
}) =>
  Effect.gen(function* () {
    const admin = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new Admin({
            clientId: options.clientId,
            bootstrapBrokers: [...options.bootstrapBrokers],
            timeout: 5_000,
            ...options.security,
          }),
      ),
      (admin) => Effect.promise(() => admin.close().catch(() => undefined)),
    );
    const label = options.topicLabel ?? ((topic: string) => topic);
    const sampleOnce = Effect.tryPromise({
      try: () => sampleConsumerLag(admin, options.groups),
      catch: (error) => error,
    }).pipe(
      Effect.tap((samples) =>
        Effect.sync(() => {
          for (const s of samples)
            metrics.consumerLag.set(
              { group: s.groupId, topic: label(s.topic), partition: String(s.partition) },
              s.lag,
            );
        }),
      ),
      Effect.catch((error: unknown) =>
        Effect.sync(() =>
          metrics.dependencyErrors.inc({ dependency: "broker", kind: "LAG_SAMPLE_FAILED" }),
        ).pipe(
          Effect.andThen(
            Effect.logDebug("consumer lag sample failed").pipe(Effect.annotateLogs({ error: String(error) })),
          ),
        ),
      ),
    );
    yield* Effect.forkScoped(sampleOnce.pipe(Effect.repeat(Schedule.spaced(`${options.intervalMs} millis`))));
  });
