// Consume-transform-produce in Kafka transactions, written once: the processor and the DLQ replay reuse it.
//
// The loop: fence zombies of our transactional id, then run sessions forever. A session opens a stream
// from the committed offsets and commits one transaction per batch. Any failure ends the session as a
// StageFault; the retry policy says whether to go on (after renewing which clients) or stop.
import { componentHealth } from "@ledgerline/observability";
import { attempt, retryTransient, type SessionProgress, sessionLoop } from "@ledgerline/resilience";
import { Effect, Fiber, References } from "effect";
import { BatchReader } from "../BatchReader.ts";
import { claimInstanceId } from "../instanceClaim.ts";
import { commitAtLeastOnce, commitTransaction, verifyOwnership, verifyStableStart } from "./commitBatch.ts";
import { recordProcessor } from "./processRecord.ts";
import { RunnerClients } from "./RunnerClients.ts";
import type { BatchStats, ExactlyOnceRunnerOptions, PreparedBatch } from "./types.ts";

export const runExactlyOnce = <TopicId extends string>(options: ExactlyOnceRunnerOptions<TopicId>) =>
  Effect.gen(function* () {
    const mode = options.mode ?? "exactly-once";
    const maxBatchSize = options.maxBatchSize ?? 2_000;
    const maxBatchTimeMs = options.maxBatchTimeMs ?? 100;
    const health = options.health ?? componentHealth(options.stage);
    const minimumLevel = yield* References.MinimumLogLevel;
    const debugEnabled = minimumLevel === "All" || minimumLevel === "Trace" || minimumLevel === "Debug";
    const log = (message: string, fields: Record<string, unknown> = {}) =>
      Effect.logInfo(message).pipe(Effect.annotateLogs({ stage: options.stage, ...fields }));

    const clients = new RunnerClients(options);
    yield* Effect.addFinalizer(() => Effect.promise(() => clients.close()));
    const processRecord = recordProcessor(options, health, debugEnabled);
    /** "topic:partition@generation" whose stream start was checked against stable committed offsets. */
    const verified = new Set<string>();

    // Transform (CPU, registry) of batch n+1 overlaps the commit (network round trips) of batch n.
    const prepareBatch = (reader: BatchReader) =>
      Effect.gen(function* () {
        const batch = yield* attempt(() => reader.next(maxBatchSize, maxBatchTimeMs));
        if (batch.length === 0) return undefined;
        const started = Date.now();
        const results = yield* Effect.forEach(batch, processRecord, { concurrency: 8 });
        return { batch, results, started } satisfies PreparedBatch;
      });

    const commitBatch = ({ batch, results, started }: PreparedBatch, progress: SessionProgress) =>
      Effect.gen(function* () {
        if (mode === "exactly-once") {
          yield* verifyOwnership(clients, batch);
          yield* verifyStableStart(clients, options.groupId, verified, batch);
        }
        const messages = results.flatMap((result) => result.messages);
        const txStarted = performance.now();
        yield* (mode === "exactly-once" ? commitTransaction : commitAtLeastOnce)(
          clients,
          batch,
          messages,
        ).pipe(
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
          lag: clients.lag,
        };
        health.ready("committing");
        progress.made();
        options.onBatch?.(stats);
        yield* log("batch committed", { ...stats, mode });
      });

    const openStream = attempt(async () => {
      const stream = await clients.consumer.consume({
        topics: [...options.inputTopics],
        mode: "committed",
        fallbackMode: "earliest",
        autocommit: false,
      });
      verified.clear();
      return stream;
    });

    /** Reads and commits until something fails; always ends with a StageFault. */
    const session = (progress: SessionProgress) =>
      Effect.andThen(
        mode === "exactly-once" ? attempt(() => clients.initialiseProducer()) : Effect.void,
        Effect.acquireUseRelease(
          openStream,
          (stream) =>
            Effect.gen(function* () {
              const reader = new BatchReader(stream, maxBatchSize * 4);
              clients.consumers.readWith(reader);
              health.ready("group joined");
              // A child fiber: when this session fails (abort), the half-prepared next batch is interrupted with it.
              let next = yield* Effect.forkChild(prepareBatch(reader));
              let redelivered = 0;
              for (;;) {
                const prepared = yield* Fiber.join(next);
                next = yield* Effect.forkChild(prepareBatch(reader));
                if (prepared) yield* commitBatch(prepared, progress);
                if (reader.redelivered > redelivered) {
                  yield* Effect.logWarning("consumer stream delivered records again; dropped them").pipe(
                    Effect.annotateLogs({
                      stage: options.stage,
                      records: reader.redelivered - redelivered,
                      last: reader.lastRedelivered,
                    }),
                  );
                  redelivered = reader.redelivered;
                }
              }
            }),
          (stream) =>
            Effect.promise(() => {
              clients.consumers.readWith(undefined);
              return stream.close().catch(() => undefined);
            }),
        ),
      );

    if (options.groupInstanceId !== undefined) {
      // Before anything that would fence another live process with our id (joining as its static member,
      // initialising transactions with its transactional id): refuse to start if one runs.
      yield* claimInstanceId({
        connection: options.connection,
        groupId: options.groupId,
        groupInstanceId: options.groupInstanceId,
        sessionTimeoutMs: options.sessionTimeoutMs,
        variable: options.instanceIdVariable ?? "instance id",
        health,
        retry: options.retry,
      }).pipe(Effect.annotateLogs({ stage: options.stage }));
    }
    if (mode === "exactly-once") {
      // Fence a zombie with our transactional id (and wait for its open transaction to end) before reading.
      // A new broker's transaction coordinator may need a while: retried without limit, like any fault.
      health.starting("initialising transactions");
      yield* attempt(() => clients.initialiseProducer()).pipe(
        retryTransient({ health, what: "initialise transactions", ...options.retry }),
      );
    }
    health.starting("joining group");
    yield* log("runner started", {
      mode,
      groupId: options.groupId,
      transactionalId: options.transactionalId,
      maxBatchSize,
      maxBatchTimeMs,
    });

    // Every failed session waits longer (capped, jittered); a committed batch starts the count over.
    return yield* sessionLoop(session, {
      health,
      what: "session ended",
      retry: options.retry,
      renew: (renewals) => clients.renew(renewals),
    });
  });
