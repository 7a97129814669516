// The ledger sink's loop, read top to bottom: a session reads from the positions stored in Postgres
// (resumePlan.ts); each batch is decoded, then written in one Postgres transaction (writeBatch.ts:
// positions, existing rows, the pure plan, the writes); after the commit, Kafka gets the offsets for lag
// and the metrics their counts. Every assignment starts a new session, so each newly assigned partition
// is read from the position Postgres holds for it (a seek on every assignment).
import type { Names } from "@ledgerline/catalogue";
import {
  BatchReader,
  type ConsumedRecord,
  claimInstanceId,
  createReadCommittedConsumer,
  describeError,
  type KafkaConnection,
  type RecordConsumer,
} from "@ledgerline/kafka";
import {
  type ClaimedPartitions,
  claimPartitions,
  holdsPartition,
  LedgerDb,
  type LedgerDbError,
  storePositions,
  toLedgerDbError,
  verifyClaims,
} from "@ledgerline/ledger-db";
import { componentHealth, metrics } from "@ledgerline/observability";
import {
  backoff,
  backoffDelayMs,
  classifyFault,
  LogThrottle,
  reportFault,
  retryPolicy,
  StageFault,
} from "@ledgerline/resilience";
import type { RegistryCodec } from "@ledgerline/schema-registry";
import { Effect } from "effect";
import { caughtUpPositions, offsetsToCommit } from "./commitPosition.ts";
import { decodeBatch } from "./decodeBatch.ts";
import type { DecodedRecord, LedgerWork, RecordDecision, WriteResult } from "./domain/planBatch.ts";
import { type BlockedPartition, blockedKey, planResume } from "./resumePlan.ts";
import { countSinkBatch, countSinkDeadLetters, observeAcceptToPosted } from "./sinkMetrics.ts";
import { traceSinkBatch } from "./sinkTracing.ts";
import { writeBatch } from "./writeBatch.ts";

export type { WriteResult };

export interface SinkPipelineOptions {
  readonly connection: KafkaConnection;
  readonly names: Names;
  readonly codec: RegistryCodec;
  readonly groupId: string;
  /** Static group membership (stable per instance): a restarted sink gets its partitions back at once. */
  readonly groupInstanceId?: string;
  /** Names this instance in sink_assignments and the logs. */
  readonly instanceId?: string;
  readonly batchSize: number;
  readonly batchWaitMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How often blocked partitions are checked for an operator's decision. */
  readonly blockedRecheckMs?: number;
  /** Called after each committed batch (tests and the benchmark count progress with it). */
  readonly onBatch?: (result: WriteResult) => void;
  /** "rows-only" skips postings, balances and the outbox (bench:peers); the default is "double-entry". */
  readonly ledgerWork?: LedgerWork;
}

const throttle = new LogThrottle(30_000);

export const runSinkPipeline = (options: SinkPipelineOptions) =>
  Effect.gen(function* () {
    const db = yield* LedgerDb;
    const topics = [
      options.names.topic("validated"),
      options.names.topic("rejected"),
      options.names.topic("dlq"),
    ];
    const retry = { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs };
    const schedule = backoff(retry);
    const health = componentHealth("ledger-sink");
    const instanceId = options.instanceId ?? "0";
    health.starting("resuming from stored offsets");

    // The consumer is renewed when the retry policy asks (a failed rejoin, a restarted broker). Its own
    // 'error' event ends the session reading from it, instead of the process.
    let failCurrentReader: ((error: unknown) => void) | undefined;
    let consumerFault: unknown;
    const newConsumer = (): RecordConsumer => {
      const created = createReadCommittedConsumer(options.connection, options.groupId, {
        groupInstanceId: options.groupInstanceId,
      });
      consumerFault = undefined;
      created.on("error", (error: unknown) => {
        if (consumer !== created) return;
        consumerFault = error;
        failCurrentReader?.(error);
      });
      return created;
    };
    let consumer: RecordConsumer = newConsumer();
    yield* Effect.addFinalizer(() => Effect.promise(() => consumer.close(true).catch(() => undefined)));

    // Before joining as the static member: refuse to start while a live process has this instance id.
    if (options.groupInstanceId !== undefined) {
      yield* claimInstanceId({
        connection: options.connection,
        groupId: options.groupId,
        groupInstanceId: options.groupInstanceId,
        variable: "LEDGER_SINK_INSTANCE_ID",
        health,
        retry,
      });
    }

    /** One batch into the ledger; transient faults retried; a refused record ends as a dead_lettered row. */
    const store = (
      records: readonly DecodedRecord[],
      topicIds: ReadonlyMap<string, string>,
    ): Effect.Effect<{ decisions: RecordDecision[]; result: WriteResult }, StageFault, LedgerDb> => {
      let attempts = 0;
      return Effect.suspend(() => {
        attempts += 1;
        return writeBatch({
          groupId: options.groupId,
          records,
          topicIds,
          attempts,
          claimed,
          ledgerWork: options.ledgerWork ?? "double-entry",
        });
      }).pipe(
        Effect.tapError((error) =>
          error.retryable
            ? reportFault(health, classifyFault(error), "ledger batch not written")
            : Effect.void,
        ),
        Effect.retry({ schedule, while: (error: LedgerDbError) => error.retryable }),
        // The database refuses something in the batch for good (bad text, a violated constraint): find
        // the record, and record it as dead_lettered with the reason; the others are written as usual.
        Effect.catch((error) =>
          // Another instance claimed one of the batch's partitions since this session's assignment: nothing
          // was written; a new session reads the new assignment (never a record's fault).
          error.reason === "TAKEN_OVER"
            ? Effect.fail(new StageFault({ reason: "StaleOffsets", message: error.message, cause: error }))
            : refuse(records, topicIds, error),
        ),
      );
    };

    const refuse = (
      records: readonly DecodedRecord[],
      topicIds: ReadonlyMap<string, string>,
      error: LedgerDbError,
    ): Effect.Effect<{ decisions: RecordDecision[]; result: WriteResult }, StageFault, LedgerDb> => {
      const [only] = records;
      if (records.length > 1 || !only) {
        return Effect.logWarning("ledger batch refused; writing record by record").pipe(
          Effect.annotateLogs({ error: error.message, sqlState: error.sqlState }),
          Effect.andThen(Effect.forEach(records, (record) => store([record], topicIds))),
          Effect.map((parts) => ({
            decisions: parts.flatMap((p) => p.decisions),
            result: sumResults(parts.map((p) => p.result)),
          })),
        );
      }
      if (only._tag !== "Decoded") {
        return Effect.fail(
          new StageFault({
            reason: "Defect",
            message: `the database refused a dead-letter entry: ${error.message}`,
          }),
        );
      }
      const reason = `${error.sqlState ?? error.reason}: ${error.message}`;
      return Effect.logError("the database refused a record; recording it as dead_lettered").pipe(
        Effect.annotateLogs({
          topic: only.record.topic,
          partition: only.record.partition,
          offset: String(only.record.offset),
          reason,
        }),
        Effect.andThen(
          store([{ _tag: "Refused", record: only.record, input: only.input, reason }], topicIds),
        ),
      );
    };

    const commitKafka = (records: readonly ConsumedRecord[], caughtUp?: ReadonlyMap<string, bigint>) =>
      Effect.tryPromise(() => consumer.commit({ offsets: offsetsToCommit(records, caughtUp) })).pipe(
        // Postgres holds the truth; Kafka's committed offsets only feed lag monitoring.
        Effect.catch((error) =>
          Effect.logDebug("kafka offset commit failed").pipe(Effect.annotateLogs({ error: String(error) })),
        ),
      );

    const reportBlocked = (blocked: readonly BlockedPartition[], previous: ReadonlySet<string>) =>
      Effect.gen(function* () {
        if (previous.size > 0 || blocked.length > 0) metrics.sinkPartitionBlocked.reset();
        for (const b of blocked) {
          metrics.sinkPartitionBlocked.set(
            {
              topic: options.names.topicIdOf(b.topic) ?? b.topic,
              partition: String(b.partition),
              reason: b.reason,
            },
            1,
          );
          if (throttle.admit(blockedKey(b.topic, b.partition)).log) {
            yield* Effect.logError(`partition not read until an operator decides: ${b.detail}`).pipe(
              Effect.annotateLogs({
                topic: b.topic,
                partition: b.partition,
                reason: b.reason,
                fix:
                  b.reason === "RetentionGap"
                    ? `ledgerline sink skip-gap --topic ${b.topic} --partition ${b.partition} --reason "..."`
                    : `ledgerline sink accept-topic --topic ${b.topic} --reason "..."`,
              }),
            );
          }
        }
      });

    // Idle, with every fetched record written: each partition's fetch position (past the commit markers of
    // transactional producers) is stored, so Postgres says "caught up" exactly when the log is consumed.
    /** The partitions this session claimed (claimPartitions) and their epochs: batches write only these. */
    let claimed: ClaimedPartitions = new Map();
    let idleStoredAt = 0;
    const idleStored = new Map<string, bigint>();
    const storeIdlePositions = (
      reader: BatchReader,
      stream: Parameters<typeof caughtUpPositions>[1],
      blocked: ReadonlySet<string>,
      topicIds: ReadonlyMap<string, string>,
    ) =>
      Effect.gen(function* () {
        if (Date.now() - idleStoredAt < 1_000) return;
        idleStoredAt = Date.now();
        const caughtUp = caughtUpPositions(reader, stream);
        if (!caughtUp) return;
        const moved = [...caughtUp].filter(
          ([key, offset]) => !blocked.has(key) && idleStored.get(key) !== offset,
        );
        // Only the partitions this instance holds: the stream keeps positions of earlier assignments too.
        const positions = moved
          .map(([key, offset]) => {
            const split = key.lastIndexOf(":");
            const topic = key.slice(0, split);
            return {
              topic,
              partition: Number(key.slice(split + 1)),
              nextOffset: offset,
              topicId: topicIds.get(topic) ?? null,
            };
          })
          .filter((position) => holdsPartition(claimed, position.topic, position.partition));
        if (positions.length === 0) return;
        yield* db
          .transaction("store idle positions", async (tx) => {
            await verifyClaims(tx, options.groupId, positions, claimed);
            await storePositions(tx, options.groupId, positions);
          })
          .pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                for (const p of positions) idleStored.set(`${p.topic}:${p.partition}`, p.nextOffset);
              }),
            ),
            Effect.catch(() => Effect.void),
          );
      });

    let blockedBefore = new Set<string>();
    const session = Effect.gen(function* () {
      const resume = yield* planResume(consumer, options.groupId, topics).pipe(
        Effect.mapError(classifyFault),
        Effect.tapError((fault) => reportFault(health, fault, "read resume positions")),
        Effect.retry({ schedule, while: (fault) => retryPolicy(fault.reason)._tag === "Retry" }),
      );
      yield* reportBlocked(resume.blocked, blockedBefore);
      const blocked = new Set(resume.blocked.map((b) => blockedKey(b.topic, b.partition)));
      blockedBefore = blocked;
      let joins = 0;
      let reassigned = false;
      const onJoin = () => {
        joins += 1;
        // The first join is this stream's own; a later one may hand us partitions another instance advanced.
        if (joins > 1) reassigned = true;
      };
      const current = consumer;
      current.on("consumer:group:join", onJoin);
      const stream = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            current.consume({ topics, mode: "manual", offsets: [...resume.offsets], autocommit: false }),
          catch: classifyFault,
        }),
        (stream) =>
          Effect.promise(async () => {
            current.off("consumer:group:join", onJoin);
            failCurrentReader = undefined;
            await stream.close().catch(() => undefined);
          }),
      );
      const reader = new BatchReader(stream, options.batchSize * 3);
      failCurrentReader = (error) => reader.fail(error);
      // Who holds what: a row per partition, a gauge, a log line (every assignment passes here).
      const assigned = (current.assignments ?? []).flatMap((a) =>
        a.partitions.map((partition) => ({ topic: a.topic, partition })),
      );
      // Claim what Kafka assigned (raising each partition's epoch) before the first batch: a previous
      // holder's batch still in flight can no longer be written, and one being written is waited for.
      claimed = new Map();
      claimed = yield* db
        .use("claim partitions", (pool) => claimPartitions(pool, options.groupId, instanceId, assigned))
        .pipe(
          Effect.mapError((error) => classifyFault(toLedgerDbError(error, "claim partitions"))),
          Effect.tapError((fault) => reportFault(health, fault, "claim the assigned partitions")),
          Effect.retry({ schedule, while: (fault) => retryPolicy(fault.reason)._tag === "Retry" }),
        );
      metrics.sinkRebalances.inc();
      for (const topic of topics) {
        metrics.sinkAssignedPartitions.set(
          { topic: options.names.topicIdOf(topic) ?? topic },
          assigned.filter((a) => a.topic === topic).length,
        );
      }
      yield* Effect.logInfo("ledger-sink reading from stored positions").pipe(
        Effect.annotateLogs({
          instance: instanceId,
          assigned: assigned
            .map((a) => `${options.names.topicIdOf(a.topic) ?? a.topic}[${a.partition}]`)
            .join(" "),
          fromLogStart: resume.started,
          blocked: resume.blocked.length,
        }),
      );
      health.ready(
        resume.blocked.length > 0
          ? `${resume.blocked.length} partitions blocked`
          : "resumed from stored offsets",
      );
      let nextRecheck = Date.now() + (options.blockedRecheckMs ?? 5_000);
      while (!reassigned) {
        if (blocked.size > 0 && Date.now() > nextRecheck) {
          // An operator's decision moves a blocked position: a new session reads from it.
          const again = yield* planResume(consumer, options.groupId, topics).pipe(
            Effect.mapError(classifyFault),
          );
          if (again.blocked.length !== blocked.size) break;
          nextRecheck = Date.now() + (options.blockedRecheckMs ?? 5_000);
        }
        const fetched = yield* Effect.tryPromise({
          try: () => reader.next(options.batchSize, options.batchWaitMs),
          catch: (error) =>
            new StageFault({
              reason: "StreamClosed",
              message: `consumer stream: ${describeError(error)}`,
              cause: error,
            }),
        });
        // A blocked partition's records are not ours to apply until an operator decides.
        const records =
          blocked.size === 0
            ? fetched
            : fetched.filter((r) => !blocked.has(blockedKey(r.topic, r.partition)));
        if (records.length === 0) {
          yield* storeIdlePositions(reader, stream, blocked, resume.topicIds);
          continue;
        }
        const started = Date.now();
        const traced = traceSinkBatch(records);
        const decoded = yield* decodeBatch(options.codec, options.names, records).pipe(
          Effect.tapError((fault) => reportFault(health, fault, "ledger batch not decoded")),
          Effect.retry({ schedule, while: (fault) => retryPolicy(fault.reason)._tag === "Retry" }),
        );
        const { decisions, result } = yield* store(decoded, resume.topicIds).pipe(
          Effect.ensuring(Effect.sync(() => traced?.end())),
        );
        // After the commit: Kafka's offsets (lag only; never for a blocked partition), metrics, one log line.
        yield* commitKafka(records, blocked.size === 0 ? caughtUpPositions(reader, stream) : undefined);
        health.ready(blocked.size > 0 ? `${blocked.size} partitions blocked` : "resumed from stored offsets");
        committedSinceFailure = true;
        options.onBatch?.(result);
        countSinkBatch(records, result, (topic) => options.names.topicIdOf(topic) ?? topic);
        countSinkDeadLetters(decisions);
        observeAcceptToPosted(decisions);
        yield* Effect.logInfo("ledger-sink batch committed").pipe(
          Effect.annotateLogs({ records: records.length, ...result, durationMs: Date.now() - started }),
        );
      }
      yield* Effect.logInfo("ledger-sink assignment changed; reading again from stored positions");
    }).pipe(Effect.scoped);

    // Each session reads from the stored positions; a broken stream or a new assignment starts a new one.
    // A fault goes through the shared policy: renew the consumer if it asks, back off, go on; or stop.
    let failures = 0;
    let committedSinceFailure = false;
    yield* session.pipe(
      Effect.catch((error: unknown) =>
        Effect.gen(function* () {
          const fault = classifyFault(error);
          yield* reportFault(health, fault, "ledger-sink session ended");
          const decision = retryPolicy(fault.reason);
          if (decision._tag === "Stop") return yield* Effect.fail(fault);
          if (decision.renew.includes("consumer") || consumerFault !== undefined) {
            const old = consumer;
            consumer = newConsumer();
            yield* Effect.promise(() =>
              Promise.race([
                old.close(true).catch(() => undefined),
                new Promise((r) => setTimeout(r, 5_000)),
              ]),
            );
          }
          failures = committedSinceFailure ? 0 : failures + 1;
          committedSinceFailure = false;
          yield* Effect.sleep(`${backoffDelayMs(failures, retry)} millis`);
        }),
      ),
      Effect.forever,
    );
  });

const sumResults = (results: readonly WriteResult[]): WriteResult =>
  results.reduce(
    (sum, r) => ({
      posted: sum.posted + r.posted,
      rejected: sum.rejected + r.rejected,
      deadLettered: sum.deadLettered + r.deadLettered,
      duplicates: sum.duplicates + r.duplicates,
      conflicts: sum.conflicts + r.conflicts,
      unapplicable: sum.unapplicable + r.unapplicable,
      alreadyApplied: sum.alreadyApplied + r.alreadyApplied,
      outboxEvents: sum.outboxEvents + r.outboxEvents,
    }),
    {
      posted: 0,
      rejected: 0,
      deadLettered: 0,
      duplicates: 0,
      conflicts: 0,
      unapplicable: 0,
      alreadyApplied: 0,
      outboxEvents: 0,
    },
  );
