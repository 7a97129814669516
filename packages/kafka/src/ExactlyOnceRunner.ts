// Consume-transform-produce in Kafka transactions, written once: the processor and the DLQ replay reuse it.

import { type StartedSpan, traceIdOf } from "@ledgerline/observability";
import type { Admin, MessageToProduce } from "@platformatic/kafka";
import { Effect, Fiber, References, Schedule } from "effect";
import { BatchReader, type ConsumedRecord } from "./BatchReader.ts";
import {
  createAdmin,
  createIdempotentProducer,
  createReadCommittedConsumer,
  createTransactionalProducer,
  type KafkaConnection,
  type RecordConsumer,
  type RecordProducer,
} from "./clients.ts";
import { deadLetterEnvelope } from "./DeadLetter.ts";
import { describeError, isFencedOrFatal } from "./kafkaErrors.ts";
import { RecordFailure } from "./RecordFailure.ts";
import type { RunnerObserver } from "./RunnerObserver.ts";
import { endRecordSpan, startRecordSpan, transactionIdOf, withTraceparent } from "./recordTracing.ts";

/** One record to produce: a logical topic id (resolved by `topicName`), key, unencoded value, headers. */
export interface OutputRecord<TopicId extends string> {
  readonly topicId: TopicId;
  readonly key?: string | undefined;
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Transform<TopicId extends string> = (
  record: ConsumedRecord,
) => Effect.Effect<readonly OutputRecord<TopicId>[], RecordFailure> | readonly OutputRecord<TopicId>[];

/** Encodes values for a topic (RegistryCodec fits); an error with `retryable: true` is an outage. */
export interface ValueEncoder<TopicId extends string> {
  encode(topicId: TopicId, value: unknown): Promise<Buffer>;
}

export interface BatchStats {
  readonly records: number;
  readonly outputs: number;
  readonly deadLetters: number;
  readonly durationMs: number;
  /** Sum of the consumer lag over assigned partitions at the last lag sample (-1 before the first). */
  readonly lag: number;
}

export interface ExactlyOnceRunnerOptions<TopicId extends string> {
  readonly connection: KafkaConnection;
  readonly stage: string;
  readonly groupId: string;
  /** Stable per instance (prefix + instance id): a restarted instance fences its zombie. */
  readonly transactionalId: string;
  readonly inputTopics: readonly string[];
  readonly topicName: (id: TopicId) => string;
  readonly encoder: ValueEncoder<TopicId>;
  readonly dlqTopic: TopicId;
  readonly transform: Transform<TopicId>;
  /** Records per transaction (default 2000). */
  readonly maxBatchSize?: number;
  /** Longest wait to fill a batch, i.e. the commit interval (default 100 ms). */
  readonly maxBatchTimeMs?: number;
  /** Backoff for transient failures: exponential from baseMs, capped at maxMs, jittered. */
  readonly retry?: { readonly baseMs?: number; readonly maxMs?: number };
  /** "at-least-once" (plain produce + offset commit) exists only to measure the cost of transactions. */
  readonly mode?: "exactly-once" | "at-least-once";
  readonly sessionTimeoutMs?: number;
  /** Static group membership id (stable per instance, like the transactional id); optional. */
  readonly groupInstanceId?: string;
  readonly onBatch?: (stats: BatchStats) => void;
  /** Per-batch hooks for metrics (optional). */
  readonly observer?: RunnerObserver;
}

class TransactionFailed extends Error {
  override readonly name = "TransactionFailed";
  readonly producerUnusable: boolean;
  constructor(cause: unknown, producerUnusable: boolean) {
    super(`transaction failed: ${describeError(cause)}`, { cause });
    this.producerUnusable = producerUnusable;
  }
}

class StaleOffsets extends Error {
  override readonly name = "StaleOffsets";
}

const lastOfEachPartition = (batch: readonly ConsumedRecord[]): ConsumedRecord[] => {
  const last = new Map<string, ConsumedRecord>();
  for (const record of batch) last.set(`${record.topic}:${record.partition}`, record);
  return [...last.values()];
};

const firstOfEachPartition = (batch: readonly ConsumedRecord[]): ConsumedRecord[] => {
  const first = new Map<string, ConsumedRecord>();
  for (const record of batch) {
    const key = `${record.topic}:${record.partition}`;
    if (!first.has(key)) first.set(key, record);
  }
  return [...first.values()];
};

/** Produce requests stay well under the broker's message.max.bytes (a record batch per partition per request). */
const SEND_CHUNK = 500;
const chunksOf = <T>(items: readonly T[]): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += SEND_CHUNK) chunks.push(items.slice(i, i + SEND_CHUNK));
  return chunks;
};

/** beginTransaction, without leaving a half-begun transaction behind when it fails (the next begin would refuse). */
const beginTransaction = async (producer: RecordProducer) => {
  try {
    return await producer.beginTransaction();
  } catch (error) {
    await producer.transaction?.cancel().catch(() => undefined);
    throw error;
  }
};

const generationOf = (record: ConsumedRecord): number =>
  Number((record.metadata as { consumer?: { generationId?: number } }).consumer?.generationId ?? -1);

/** Capped exponential backoff with jitter, forever: transient failures never drop a record. */
const backoff = (baseMs: number, maxMs: number) =>
  Schedule.min([Schedule.exponential(`${baseMs} millis`), Schedule.spaced(`${maxMs} millis`)]).pipe(
    Schedule.jittered,
  );

export const runExactlyOnce = <TopicId extends string>(options: ExactlyOnceRunnerOptions<TopicId>) =>
  Effect.gen(function* () {
    const mode = options.mode ?? "exactly-once";
    const maxBatchSize = options.maxBatchSize ?? 2_000;
    const maxBatchTimeMs = options.maxBatchTimeMs ?? 100;
    const retrySchedule = backoff(options.retry?.baseMs ?? 100, options.retry?.maxMs ?? 5_000);
    const minimumLevel = yield* References.MinimumLogLevel;
    const debugEnabled = minimumLevel === "All" || minimumLevel === "Trace" || minimumLevel === "Debug";
    const log = (message: string, fields: Record<string, unknown> = {}) =>
      Effect.logInfo(message).pipe(Effect.annotateLogs({ stage: options.stage, ...fields }));

    const newProducer = (): RecordProducer =>
      mode === "exactly-once"
        ? createTransactionalProducer(options.connection, options.transactionalId)
        : createIdempotentProducer(options.connection);

    // Mutable resources: re-created on abort (stream), fencing or fatal errors (producer).
    const state = {
      producer: newProducer(),
      consumer: createReadCommittedConsumer(options.connection, options.groupId, {
        sessionTimeoutMs: options.sessionTimeoutMs,
        groupInstanceId: options.groupInstanceId,
      }) as RecordConsumer,
      admin: createAdmin(options.connection) as Admin,
      lag: -1,
      /** Consecutive failed sessions, for the backoff between them. */
      failures: 0,
      /** "topic:partition@generation" whose stream start was checked against stable committed offsets. */
      verified: new Set<string>(),
    };
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        await state.consumer.close(true).catch(() => undefined);
        await state.producer.close().catch(() => undefined);
        await state.admin.close().catch(() => undefined);
      }),
    );
    state.consumer.on("consumer:lag", (lag) => {
      let total = 0n;
      for (const partitions of lag.values()) for (const value of partitions) if (value > 0n) total += value;
      state.lag = Number(total);
    });

    // --- per record: transform + encode, transient failures retried, poison → DLQ envelope ---
    const encodeOutputs = (untraced: readonly OutputRecord<TopicId>[], span?: StartedSpan) =>
      Effect.tryPromise({
        try: () =>
          Promise.all(
            // Tracing on: every output carries the record span's traceparent to the next stage.
            (span
              ? untraced.map((o) => ({ ...o, headers: withTraceparent(o.headers, span, o.value) }))
              : untraced
            ).map(
              async (output): Promise<MessageToProduce<string, Buffer, string, Buffer>> => ({
                topic: options.topicName(output.topicId),
                key: output.key,
                value: await options.encoder.encode(output.topicId, output.value),
                ...(output.headers
                  ? {
                      headers: Object.fromEntries(
                        Object.entries(output.headers).map(([name, text]) => [
                          name,
                          Buffer.from(text, "utf8"),
                        ]),
                      ),
                    }
                  : {}),
              }),
            ),
          ),
        catch: (error) =>
          (error as { retryable?: boolean }).retryable
            ? RecordFailure.transient("ENCODER_UNAVAILABLE", describeError(error))
            : RecordFailure.poison({
                code: "OUTPUT_ENCODING_FAILED",
                errorClass: (error as Error).name ?? "Error",
                message: describeError(error),
              }),
      });

    const transformRecord = (record: ConsumedRecord) =>
      Effect.suspend(() => {
        const result = options.transform(record);
        return Effect.isEffect(result) ? result : Effect.succeed(result);
      }).pipe(
        // A throwing transform is a poison record, not a crash: the partition must move on.
        Effect.catchDefect((defect) =>
          Effect.fail(
            RecordFailure.poison({
              code: "TRANSFORM_FAILED",
              errorClass: defect instanceof Error ? defect.name : typeof defect,
              message: describeError(defect),
            }),
          ),
        ),
      );

    const processRecord = (record: ConsumedRecord) => {
      let attempts = 0;
      let transactionId: string | undefined;
      const span = startRecordSpan(options.stage, record);
      const attempt = Effect.suspend(() => {
        attempts += 1;
        return Effect.flatMap(transformRecord(record), (outputs) => {
          if (debugEnabled) transactionId = transactionIdOf(outputs[0]?.value);
          return encodeOutputs(outputs, span);
        });
      }).pipe(
        Effect.tapError((failure) =>
          failure.reason._tag === "TransientFailure"
            ? Effect.logWarning("transient failure, retrying without advancing offsets").pipe(
                Effect.annotateLogs({
                  stage: options.stage,
                  code: failure.reason.code,
                  error: failure.reason.message,
                  topic: record.topic,
                  partition: record.partition,
                  offset: String(record.offset),
                  attempt: attempts,
                  traceId: traceIdOf(span?.context),
                }),
                Effect.andThen(Effect.sync(() => options.observer?.retry(failure.reason.code))),
              )
            : Effect.void,
        ),
      );
      const deadLetter = (failure: RecordFailure) =>
        failure.reason._tag === "PoisonRecord"
          ? encodeDeadLetter(record, failure.reason, attempts, span)
          : Effect.die(failure); // unreachable: transient failures are retried forever
      return attempt.pipe(
        Effect.retry({ schedule: retrySchedule, while: (failure: RecordFailure) => failure.retryable }),
        Effect.map((messages) => ({ messages, deadLetters: 0 })),
        Effect.catchTag("RecordFailure", (failure) =>
          Effect.map(deadLetter(failure), (messages) => ({
            messages,
            deadLetters: 1,
            reason: failure.reason._tag === "PoisonRecord" ? failure.reason.code : undefined,
          })),
        ),
        // Per-record detail only at debug (checked once, so info level allocates nothing here).
        Effect.tap((result) =>
          debugEnabled
            ? Effect.logDebug("record processed").pipe(
                Effect.annotateLogs({
                  stage: options.stage,
                  transactionId,
                  traceId: traceIdOf(span?.context),
                  topic: record.topic,
                  partition: record.partition,
                  offset: String(record.offset),
                  outputs: result.messages.length,
                  deadLettered: result.deadLetters > 0,
                }),
              )
            : Effect.void,
        ),
        Effect.ensuring(Effect.sync(() => endRecordSpan(span))),
      );
    };

    const encodeDeadLetter = (
      record: ConsumedRecord,
      failure: Parameters<typeof deadLetterEnvelope>[1],
      attempts: number,
      span?: StartedSpan,
    ) =>
      Effect.suspend(() =>
        encodeOutputs(
          [
            {
              topicId: options.dlqTopic,
              key: record.key,
              value: deadLetterEnvelope(record, failure, { stage: options.stage, attempts, now: new Date() }),
            },
          ],
          span,
        ),
      ).pipe(
        // Only an outage can stop the envelope itself from encoding: retry it like any transient failure.
        Effect.retry({ schedule: retrySchedule, while: (error: RecordFailure) => error.retryable }),
        Effect.orDie,
      );

    // --- per batch: one transaction with the outputs and the consumed offsets ---
    const verifyStableStart = (batch: readonly ConsumedRecord[]) =>
      Effect.tryPromise({
        try: async () => {
          const unverified = firstOfEachPartition(batch).filter(
            (record) => !state.verified.has(`${record.topic}:${record.partition}@${generationOf(record)}`),
          );
          if (unverified.length === 0 || mode !== "exactly-once") return;
          // The stream starts from offsets read without require_stable; a previous owner's transaction may
          // have been committing them at that moment. Compare with the stable view before producing anything.
          const [group] = await state.admin.listConsumerGroupOffsets({
            groups: [
              {
                groupId: options.groupId,
                topics: [...new Set(unverified.map((r) => r.topic))].map((topic) => ({
                  name: topic,
                  partitionIndexes: unverified.filter((r) => r.topic === topic).map((r) => r.partition),
                })),
              },
            ],
            requireStable: true,
          });
          for (const record of unverified) {
            const committed = group?.topics
              .find((topic) => topic.name === record.topic)
              ?.partitions.find(
                (partition) => partition.partitionIndex === record.partition,
              )?.committedOffset;
            if (committed !== undefined && committed > record.offset) {
              throw new StaleOffsets(
                `${record.topic}:${record.partition} starts at ${record.offset} but ${committed} is committed`,
              );
            }
            state.verified.add(`${record.topic}:${record.partition}@${generationOf(record)}`);
          }
        },
        catch: (error) => error,
      });

    const commitTransaction = (
      batch: readonly ConsumedRecord[],
      messages: MessageToProduce<string, Buffer, string, Buffer>[],
    ) =>
      Effect.tryPromise({
        try: async () => {
          const { producer, consumer } = state;
          if (mode === "at-least-once") {
            for (const chunk of chunksOf(messages)) await producer.send({ messages: chunk });
            await consumer.commit({
              offsets: lastOfEachPartition(batch).map((r) => ({
                topic: r.topic,
                partition: r.partition,
                offset: r.offset + 1n,
                leaderEpoch: r.leaderEpoch,
              })),
            });
            return;
          }
          const tx = await beginTransaction(producer);
          try {
            for (const chunk of chunksOf(messages)) await tx.send({ messages: chunk });
            // Offsets join the transaction one awaited call at a time: concurrent calls are merged.
            await tx.addConsumer(consumer);
            for (const record of lastOfEachPartition(batch)) await tx.addOffset(record);
            await tx.commit();
          } catch (error) {
            const abort = await tx.abort().then(
              () => undefined,
              (abortError: unknown) => abortError,
            );
            throw new TransactionFailed(error, abort !== undefined || isFencedOrFatal(error));
          }
        },
        catch: (error) => error,
      }).pipe(Effect.uninterruptible);

    // Transform (CPU, registry) of batch n+1 overlaps the commit (network round trips) of batch n.
    const prepareBatch = (reader: BatchReader) =>
      Effect.gen(function* () {
        const batch = yield* Effect.promise(() => reader.next(maxBatchSize, maxBatchTimeMs)).pipe(
          Effect.catchDefect((error) => Effect.fail(error)),
        );
        if (batch.length === 0) return undefined;
        const started = Date.now();
        const results = yield* Effect.forEach(batch, processRecord, { concurrency: 8 });
        return { batch, results, started };
      });

    const commitBatch = (prepared: {
      batch: ConsumedRecord[];
      results: {
        messages: MessageToProduce<string, Buffer, string, Buffer>[];
        deadLetters: number;
        reason?: string | undefined;
      }[];
      started: number;
    }) =>
      Effect.gen(function* () {
        const { batch, results, started } = prepared;
        yield* verifyStableStart(batch);
        const messages = results.flatMap((result) => result.messages);
        const txStarted = performance.now();
        yield* commitTransaction(batch, messages).pipe(
          Effect.tapError(() =>
            Effect.sync(() => options.observer?.transactionAborted((performance.now() - txStarted) / 1_000)),
          ),
        );
        if (options.observer) {
          const reasons = results.flatMap((result) => (result.reason ? [result.reason] : []));
          options.observer.batchCommitted(batch, messages, reasons, (performance.now() - txStarted) / 1_000);
        }
        const stats: BatchStats = {
          records: batch.length,
          outputs: messages.length,
          deadLetters: results.reduce((sum, result) => sum + result.deadLetters, 0),
          durationMs: Date.now() - started,
          lag: state.lag,
        };
        state.failures = 0;
        options.onBatch?.(stats);
        yield* log("batch committed", { ...stats, mode });
      });

    // --- the loop: (re)create the stream from committed offsets; recover from aborts and fencing ---
    const openStream = Effect.tryPromise({
      try: async () => {
        const stream = await state.consumer.consume({
          topics: [...options.inputTopics],
          mode: "committed",
          fallbackMode: "earliest",
          autocommit: false,
        });
        state.verified.clear();
        return stream;
      },
      catch: (error) => error,
    });

    const session = Effect.acquireUseRelease(
      openStream,
      (stream) =>
        Effect.gen(function* () {
          const reader = new BatchReader(stream, maxBatchSize * 4);
          // A child fiber: when this session fails (abort), the half-prepared next batch is interrupted with it.
          let next = yield* Effect.forkChild(prepareBatch(reader));
          for (;;) {
            const prepared = yield* Fiber.join(next);
            next = yield* Effect.forkChild(prepareBatch(reader));
            if (prepared) yield* commitBatch(prepared);
          }
        }),
      (stream) => Effect.promise(() => stream.close().catch(() => undefined)),
    );

    const recover = (error: unknown) =>
      Effect.gen(function* () {
        const producerUnusable =
          (error instanceof TransactionFailed && error.producerUnusable) || isFencedOrFatal(error);
        yield* Effect.logWarning("batch aborted; re-creating the stream from committed offsets").pipe(
          Effect.annotateLogs({ stage: options.stage, error: describeError(error), producerUnusable }),
        );
        if (producerUnusable) {
          const old = state.producer;
          state.producer = newProducer();
          yield* Effect.promise(() => old.close(true).catch(() => undefined));
        }
      });

    if (mode === "exactly-once") {
      // Fence a zombie with our transactional id (and wait for its open transaction to end) before reading.
      yield* Effect.tryPromise({
        try: async () => {
          const tx = await beginTransaction(state.producer);
          await tx.cancel();
        },
        catch: (error) => error,
      }).pipe(
        Effect.tapError((error) =>
          Effect.logWarning("cannot initialise transactions yet").pipe(
            Effect.annotateLogs({ stage: options.stage, error: describeError(error) }),
          ),
        ),
        Effect.retry(retrySchedule.pipe(Schedule.upTo({ times: 30 }))),
        Effect.orDie,
      );
    }
    state.consumer.startLagMonitoring({ topics: [...options.inputTopics] }, 2_000);
    yield* log("runner started", {
      mode,
      groupId: options.groupId,
      transactionalId: options.transactionalId,
      maxBatchSize,
      maxBatchTimeMs,
    });
    // Every failed session waits longer (capped, jittered); a committed batch resets the count.
    const baseMs = options.retry?.baseMs ?? 100;
    const maxMs = options.retry?.maxMs ?? 5_000;
    yield* session.pipe(
      Effect.catch((error: unknown) =>
        Effect.gen(function* () {
          yield* recover(error);
          const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(state.failures, 16));
          state.failures += 1;
          yield* Effect.sleep(`${Math.round(ceiling * (0.5 + Math.random() / 2))} millis`);
        }),
      ),
      Effect.forever,
    );
  });
