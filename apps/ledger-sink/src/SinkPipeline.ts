// The consume loop: read a batch, decode it, write it in one Postgres transaction (offsets included),
// then commit the Kafka offsets. Transient failures retry the whole batch; offsets never run ahead.
import { randomUUID } from "node:crypto";
import type { DeadLetter, TransactionRejected, TransactionValidated } from "@ledgerline/contracts";
import {
  BatchReader,
  type ConsumedRecord,
  createIdempotentProducer,
  createReadCommittedConsumer,
  deadLetterEnvelope,
  describeError,
  type KafkaConnection,
  PoisonRecord,
  type RecordConsumer,
} from "@ledgerline/kafka";
import { LedgerDb, type LedgerDbError, sql } from "@ledgerline/ledger-db";
import { componentHealth } from "@ledgerline/observability";
import {
  backoff,
  backoffDelayMs,
  classifyFault,
  reportFault,
  retryPolicy,
  StageFault,
} from "@ledgerline/resilience";
import { type RegistryCodec, RegistryError } from "@ledgerline/schema-registry";
import type { Names } from "@ledgerline/topology";
import { ListOffsetTimestamps } from "@platformatic/kafka";
import { Effect, Schema } from "effect";
import { caughtUpPositions, offsetsToCommit } from "./commitPosition.ts";
import type { Coordinates, SinkInput } from "./domain/toLedgerRows.ts";
import { type Unapplicable, type WriteResult, writeBatch } from "./LedgerWriter.ts";
import { countSinkBatch, countSinkDeadLetters, timedPostgres } from "./sinkMetrics.ts";
import { traceSinkBatch } from "./sinkTracing.ts";

/** Decoding or DLQ publishing could not be done now (registry/broker down): retry the batch. */
export class SinkTransientError extends Schema.TaggedError<SinkTransientError>()("SinkTransientError", {
  message: Schema.String,
}) {
  get retryable() {
    return true;
  }
}

export interface SinkPipelineOptions {
  readonly connection: KafkaConnection;
  readonly names: Names;
  readonly codec: RegistryCodec;
  readonly groupId: string;
  /** Static group membership (stable per instance): a restarted sink gets its partitions back at once. */
  readonly groupInstanceId?: string;
  readonly batchSize: number;
  readonly batchWaitMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Called after each committed batch (tests and the benchmark count progress with it). */
  readonly onBatch?: (result: WriteResult) => void;
}

type Decoded = { readonly input: SinkInput; readonly record: ConsumedRecord } | Unapplicable<ConsumedRecord>;

const coordinatesOf = (record: ConsumedRecord): Coordinates => ({
  topic: record.topic,
  partition: record.partition,
  offset: record.offset,
});

const decodeRecord = async (codec: RegistryCodec, names: Names, record: ConsumedRecord): Promise<Decoded> => {
  const coordinates = coordinatesOf(record);
  const topicId = names.topicIdOf(record.topic);
  try {
    switch (topicId) {
      case "validated":
        return {
          record,
          input: {
            _tag: "Validated",
            coordinates,
            value: await codec.decode<TransactionValidated>("validated", record.value),
          },
        };
      case "rejected":
        return {
          record,
          input: {
            _tag: "Rejected",
            coordinates,
            value: await codec.decode<TransactionRejected>("rejected", record.value),
          },
        };
      case "dlq":
        return {
          record,
          input: {
            _tag: "DeadLettered",
            coordinates,
            value: await codec.decode<DeadLetter>("dlq", record.value),
          },
        };
      default:
        throw new Error(`unexpected topic ${record.topic}`);
    }
  } catch (error) {
    if (error instanceof RegistryError && error.retryable)
      throw new SinkTransientError({ message: error.message });
    return {
      record,
      coordinates,
      transactionId: null,
      code: error instanceof RegistryError ? error.reason : "MALFORMED_PAYLOAD",
      errorClass: error instanceof Error ? error.name : typeof error,
      message: describeError(error),
      replayable: false,
    };
  }
};

const lastOfEachPartition = (records: readonly ConsumedRecord[]) => {
  const last = new Map<string, ConsumedRecord>();
  for (const record of records) last.set(`${record.topic}:${record.partition}`, record);
  return [...last.values()];
};

export const runSinkPipeline = (options: SinkPipelineOptions) =>
  Effect.gen(function* () {
    const db = yield* LedgerDb;
    const topics = [
      options.names.topic("validated"),
      options.names.topic("rejected"),
      options.names.topic("dlq"),
    ];
    const schedule = backoff({ baseMs: options.retryBaseMs, maxMs: options.retryMaxMs });
    const health = componentHealth("ledger-sink");
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
    const dlqProducer = createIdempotentProducer({
      ...options.connection,
      clientId: `${options.connection.clientId}-dlq`,
    });
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        await consumer.close(true).catch(() => undefined);
        await dlqProducer.close().catch(() => undefined);
      }),
    );

    /** Resume point per partition: Postgres's stored offset when ahead of Kafka's committed one. */
    const startingOffsets = Effect.gen(function* () {
      const earliest = yield* Effect.tryPromise({
        try: () => consumer.listOffsets({ topics, timestamp: ListOffsetTimestamps.EARLIEST }),
        catch: (error) => new SinkTransientError({ message: `list offsets: ${describeError(error)}` }),
      });
      const committed = yield* Effect.tryPromise({
        try: () =>
          consumer.listCommittedOffsets({
            topics: topics.map((topic) => ({
              topic,
              partitions: (earliest.get(topic) ?? []).map((_, i) => i),
            })),
          }),
        catch: (error) =>
          new SinkTransientError({ message: `list committed offsets: ${describeError(error)}` }),
      });
      const stored = yield* db.use("read stored offsets", (pool) =>
        pool.any(
          sql.unsafe`SELECT topic, partition, next_offset FROM consumer_offsets WHERE group_id = ${options.groupId}`,
        ),
      );
      const typed = stored as readonly { topic: string; partition: number; next_offset: bigint }[];
      const storedOf = new Map(typed.map((row) => [`${row.topic}:${row.partition}`, row.next_offset]));
      const offsets: { topic: string; partition: number; offset: bigint }[] = [];
      let aheadOfKafka = 0;
      for (const topic of topics) {
        (earliest.get(topic) ?? []).forEach((first, partition) => {
          const fromKafka = committed.get(topic)?.[partition] ?? -1n;
          const fromDb = storedOf.get(`${topic}:${partition}`) ?? -1n;
          if (fromDb > fromKafka) aheadOfKafka += 1;
          const resume = fromDb > fromKafka ? fromDb : fromKafka;
          offsets.push({ topic, partition, offset: resume < first ? first : resume });
        });
      }
      yield* Effect.logInfo("ledger-sink resuming").pipe(
        Effect.annotateLogs({ partitions: offsets.length, postgresAheadOfKafka: aheadOfKafka }),
      );
      return offsets;
    });

    const publishDeadLetters = (deadLetters: readonly Unapplicable<ConsumedRecord>[], attempts: number) =>
      Promise.all(
        deadLetters.map(async (dead) => {
          const envelope = deadLetterEnvelope(
            dead.record,
            new PoisonRecord({
              code: dead.code,
              errorClass: dead.errorClass,
              message: dead.message,
              transactionId: dead.transactionId,
              replayable: dead.replayable,
            }),
            { stage: "ledger-sink", attempts, now: new Date() },
          );
          return {
            topic: options.names.topic("dlq"),
            key: dead.record.key ?? dead.transactionId ?? "",
            value: await options.codec.encode("dlq", envelope),
          };
        }),
      ).then(async (messages) => {
        try {
          await dlqProducer.send({ messages });
          countSinkDeadLetters(deadLetters);
        } catch (error) {
          throw new SinkTransientError({ message: `publish dead letters: ${describeError(error)}` });
        }
      });

    /** One attempt at a batch: decode, then one database transaction. */
    const attemptBatch = (records: readonly ConsumedRecord[], attempt: { n: number }) =>
      Effect.gen(function* () {
        attempt.n += 1;
        const decoded = yield* Effect.tryPromise({
          try: () => Promise.all(records.map((record) => decodeRecord(options.codec, options.names, record))),
          catch: (error) =>
            error instanceof SinkTransientError
              ? error
              : new SinkTransientError({ message: describeError(error) }),
        });
        const inputs = decoded.filter((d): d is Extract<Decoded, { input: SinkInput }> => "input" in d);
        const unapplicable = decoded.filter((d): d is Unapplicable<ConsumedRecord> => !("input" in d));
        const nextOffsets = lastOfEachPartition(records).map((r) => ({
          ...coordinatesOf(r),
          offset: r.offset + 1n,
        }));
        return yield* timedPostgres(
          "write_batch",
          db.transaction("write batch", (tx) =>
            writeBatch(
              tx,
              {
                groupId: options.groupId,
                inputs,
                unapplicable,
                nextOffsets,
                now: new Date(),
                newEventId: randomUUID,
                traceparentOf: (record) => record.headers.get("traceparent")?.toString(),
              },
              (dead) => publishDeadLetters(dead, attempt.n),
            ),
          ),
        );
      }).pipe(
        Effect.mapError((error) =>
          // A failed DLQ publish surfaces through the transaction as a wrapped error: keep it transient.
          (error as LedgerDbError).cause instanceof SinkTransientError
            ? ((error as LedgerDbError).cause as SinkTransientError)
            : error,
        ),
      );

    const retried = (records: readonly ConsumedRecord[], attempt: { n: number }) =>
      attemptBatch(records, attempt).pipe(
        Effect.tapError((error) =>
          error.retryable
            ? reportFault(health, classifyFault(error), "ledger-sink batch not written")
            : Effect.void,
        ),
        Effect.retry({ schedule, while: (error) => error.retryable }),
      );

    /** A batch the database refuses for good: find the culprit record by record and dead-letter it. */
    const processBatch = (records: readonly ConsumedRecord[]): Effect.Effect<WriteResult, never> =>
      retried(records, { n: 0 }).pipe(
        Effect.catch((error) =>
          records.length > 1
            ? Effect.logWarning("ledger-sink batch refused; applying record by record").pipe(
                Effect.annotateLogs({ error: error.message }),
                Effect.andThen(Effect.forEach(records, (record) => processBatch([record]))),
                Effect.map(sumResults),
              )
            : deadLetterRefused(records[0] as ConsumedRecord, error.message),
        ),
      );

    const deadLetterRefused = (record: ConsumedRecord, message: string) =>
      Effect.gen(function* () {
        const unapplicable: Unapplicable<ConsumedRecord> = {
          record,
          coordinates: coordinatesOf(record),
          transactionId: null,
          code: "LEDGER_REFUSED",
          errorClass: "LedgerDbError",
          message,
          replayable: false,
        };
        return yield* db.transaction("dead-letter refused record", (tx) =>
          writeBatch(
            tx,
            {
              groupId: options.groupId,
              inputs: [],
              unapplicable: [unapplicable],
              nextOffsets: [{ ...coordinatesOf(record), offset: record.offset + 1n }],
              now: new Date(),
              newEventId: randomUUID,
            },
            (dead) => publishDeadLetters(dead, 1),
          ),
        );
      }).pipe(
        Effect.mapError((error) =>
          (error as LedgerDbError).cause instanceof SinkTransientError
            ? ((error as LedgerDbError).cause as SinkTransientError)
            : error,
        ),
        Effect.retry({ schedule, while: (error) => error.retryable }),
        // Even dead-lettering is refused: stop rather than skip the record silently.
        Effect.orDie,
      );

    const commitKafka = (records: readonly ConsumedRecord[], caughtUp?: ReadonlyMap<string, bigint>) =>
      Effect.tryPromise(() =>
        consumer.commit({
          offsets: offsetsToCommit(records, caughtUp),
        }),
      ).pipe(
        // Postgres holds the truth; a failed Kafka commit only means a resume reads from Postgres.
        Effect.catch((error) =>
          Effect.logDebug("kafka offset commit failed").pipe(Effect.annotateLogs({ error: String(error) })),
        ),
      );

    const session = Effect.gen(function* () {
      const offsets = yield* startingOffsets.pipe(
        Effect.tapError((error) => reportFault(health, classifyFault(error), "read resume positions")),
        Effect.retry({ schedule, while: (e) => e.retryable }),
      );
      let joins = 0;
      let reassigned = false;
      const onJoin = () => {
        joins += 1;
        // The first join is this stream's own; later ones may hand us partitions someone else advanced.
        if (joins > 1) reassigned = true;
      };
      const current = consumer;
      current.on("consumer:group:join", onJoin);
      const stream = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => current.consume({ topics, mode: "manual", offsets, autocommit: false }),
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
      health.ready("resumed from stored offsets");
      while (!reassigned) {
        const records = yield* Effect.tryPromise({
          try: () => reader.next(options.batchSize, options.batchWaitMs),
          catch: (error) =>
            new StageFault({
              reason: "StreamClosed",
              message: `consumer stream: ${describeError(error)}`,
              cause: error,
            }),
        });
        if (records.length === 0) continue;
        const started = Date.now();
        const traced = traceSinkBatch(records);
        const result = yield* processBatch(records).pipe(
          Effect.tap(() => commitKafka(records, caughtUpPositions(reader, stream))),
          Effect.ensuring(Effect.sync(() => traced?.end())),
        );
        health.ready("resumed from stored offsets");
        committedSinceFailure = true;
        options.onBatch?.(result);
        countSinkBatch(records, result, (topic) => options.names.topicIdOf(topic) ?? topic);
        // The per-batch summary is an info line (counts, duration); per-record detail stays at debug.
        yield* Effect.logInfo("ledger-sink batch committed").pipe(
          Effect.annotateLogs({ records: records.length, ...result, durationMs: Date.now() - started }),
        );
      }
      yield* Effect.logInfo("ledger-sink partitions reassigned; resuming from stored offsets");
    }).pipe(Effect.scoped);

    // Each session reads from the stored offsets; a broken stream or a reassignment starts a new one.
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
          yield* Effect.sleep(
            `${backoffDelayMs(failures, { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs })} millis`,
          );
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
