// One session of the sink: read where to start from Postgres (resumePlan.ts), open a stream from there,
// claim what Kafka assigned, then apply batches until the assignment changes (a new session reads the new
// one from its stored positions: a seek on every assignment) or an operator unblocks a partition. Any
// failure ends the session; the session loop (SinkPipeline.ts) decides what comes next.
import { BatchReader, describeError, type RecordConsumer } from "@ledgerline/kafka";
import { claimPartitions, LedgerDb } from "@ledgerline/ledger-db";
import { metrics } from "@ledgerline/observability";
import { classifyFault, retryTransient, type SessionProgress, StageFault } from "@ledgerline/resilience";
import { Effect } from "effect";
import { blockedKey, planResume } from "../resumePlan.ts";
import { applyBatch, type SessionStream } from "./applyBatch.ts";
import type { BlockedPartitions } from "./BlockedPartitions.ts";
import { type Assignment, readingDetail, type SinkContext, topicLabel } from "./context.ts";
import type { IdlePositions } from "./IdlePositions.ts";

/** What lives across sessions (each part owns its own). */
export interface SinkState {
  readonly blocked: BlockedPartitions;
  readonly idle: IdlePositions;
}

/** The first join is the stream's own; a later one may hand us partitions another instance advanced. */
const watchJoins = (consumer: RecordConsumer) => {
  let joins = 0;
  const onJoin = () => {
    joins += 1;
  };
  consumer.on("consumer:group:join", onJoin);
  return {
    reassigned: () => joins > 1,
    stop: () => void consumer.off("consumer:group:join", onJoin),
  };
};

/** Opens the stream at the resume offsets; closed (and the consumer's failures detached) when the session ends. */
const openStream = (
  context: SinkContext,
  offsets: readonly { topic: string; partition: number; offset: bigint }[],
) => {
  const consumer = context.consumers.current;
  const joins = watchJoins(consumer);
  return Effect.acquireRelease(
    Effect.tryPromise({
      try: async (): Promise<SessionStream> => {
        const stream = await consumer.consume({
          topics: [...context.topics],
          mode: "manual",
          offsets: [...offsets],
          autocommit: false,
        });
        const reader = new BatchReader(stream, context.options.batchSize * 3);
        context.consumers.readWith(reader);
        return { consumer, stream, reader };
      },
      catch: classifyFault,
    }),
    ({ stream }) =>
      Effect.promise(async () => {
        joins.stop();
        context.consumers.readWith(undefined);
        await stream.close().catch(() => undefined);
      }),
  ).pipe(
    Effect.onError(() => Effect.sync(() => joins.stop())),
    Effect.map((source) => ({ source, reassigned: joins.reassigned })),
  );
};

/** Claims what Kafka assigned (raising each partition's epoch) before the first batch: a previous holder's
 *  batch still in flight can no longer be written, and one being written is waited for. */
const claimAssigned = (context: SinkContext, consumer: RecordConsumer) =>
  Effect.gen(function* () {
    const db = yield* LedgerDb;
    const assigned = (consumer.assignments ?? []).flatMap((a) =>
      a.partitions.map((partition) => ({ topic: a.topic, partition })),
    );
    const claimed = yield* db
      .use("claim partitions", (pool) =>
        claimPartitions(pool, context.options.groupId, context.instanceId, assigned),
      )
      .pipe(
        retryTransient({ health: context.health, what: "claim the assigned partitions", ...context.retry }),
      );
    return { assigned, claimed };
  });

export const readSession = (context: SinkContext, state: SinkState, progress: SessionProgress) =>
  Effect.gen(function* () {
    const { options, health, topics } = context;
    const resume = yield* planResume(context.consumers.current, options.groupId, topics).pipe(
      retryTransient({ health, what: "read resume positions", ...context.retry }),
    );
    const blocked = yield* state.blocked.report(context, resume.blocked);
    const { source, reassigned } = yield* openStream(context, resume.offsets);
    // Who holds what: a row per partition, a gauge, a log line (every assignment passes here).
    const { assigned, claimed } = yield* claimAssigned(context, source.consumer);
    const assignment: Assignment = { claimed, topicIds: resume.topicIds, blocked };
    metrics.sinkRebalances.inc();
    for (const topic of topics) {
      metrics.sinkAssignedPartitions.set(
        { topic: topicLabel(context, topic) },
        assigned.filter((a) => a.topic === topic).length,
      );
    }
    yield* Effect.logInfo("ledger-sink reading from stored positions").pipe(
      Effect.annotateLogs({
        instance: context.instanceId,
        assigned: assigned.map((a) => `${topicLabel(context, a.topic)}[${a.partition}]`).join(" "),
        fromLogStart: resume.started,
        blocked: resume.blocked.length,
      }),
    );
    health.ready(readingDetail(resume.blocked.length));
    const recheckMs = options.blockedRecheckMs ?? 5_000;
    let nextRecheck = Date.now() + recheckMs;
    while (!reassigned()) {
      if (blocked.size > 0 && Date.now() > nextRecheck) {
        // An operator's decision moves a blocked position: a new session reads from it.
        const again = yield* planResume(source.consumer, options.groupId, topics).pipe(
          Effect.mapError(classifyFault),
        );
        if (again.blocked.length !== blocked.size) break;
        nextRecheck = Date.now() + recheckMs;
      }
      const fetched = yield* Effect.tryPromise({
        try: () => source.reader.next(options.batchSize, options.batchWaitMs),
        catch: (error) =>
          new StageFault({
            reason: "StreamClosed",
            message: `consumer stream: ${describeError(error)}`,
            cause: error,
          }),
      });
      // A blocked partition's records are not ours to apply until an operator decides.
      const records =
        blocked.size === 0 ? fetched : fetched.filter((r) => !blocked.has(blockedKey(r.topic, r.partition)));
      if (records.length === 0) yield* state.idle.store(assignment, source);
      else yield* applyBatch(context, assignment, source, records, progress);
    }
    yield* Effect.logInfo("ledger-sink assignment changed; reading again from stored positions");
  }).pipe(Effect.scoped);
