// One consumed record → its encoded outputs: transform, encode, and on a poison record a DLQ envelope.
// A transient failure (registry outage) is retried with the shared backoff, without limit and without
// advancing offsets; the record's component shows "retrying" meanwhile.
import { type ComponentHealth, type StartedSpan, traceIdOf } from "@ledgerline/observability";
import { backoff, isRecordFault, reportFault, StageFault } from "@ledgerline/resilience";
import { Effect } from "effect";
import type { ConsumedRecord } from "../BatchReader.ts";
import { deadLetterEnvelope } from "../DeadLetter.ts";
import { deadLetterHeaders } from "../DeadLetterHeaders.ts";
import { headerBuffers } from "../headers.ts";
import { describeError } from "../kafkaErrors.ts";
import { RecordFailure } from "../RecordFailure.ts";
import { endRecordSpan, startRecordSpan, transactionIdOf, withTraceparent } from "../recordTracing.ts";
import type { EncodedMessage, ExactlyOnceRunnerOptions, OutputRecord, RecordOutcome } from "./types.ts";

export const recordProcessor = <TopicId extends string>(
  options: ExactlyOnceRunnerOptions<TopicId>,
  health: ComponentHealth,
  debugEnabled: boolean,
) => {
  const schedule = backoff(options.retry);

  const encodeOutputs = (untraced: readonly OutputRecord<TopicId>[], span?: StartedSpan) =>
    Effect.tryPromise({
      try: () =>
        Promise.all(
          // Tracing on: every output carries the record span's traceparent to the next stage.
          (span
            ? untraced.map((o) => ({ ...o, headers: withTraceparent(o.headers, span, o.value) }))
            : untraced
          ).map(
            async (output): Promise<EncodedMessage> => ({
              topic: options.topicName(output.topicId),
              key: output.key,
              value: await options.encoder.encode(output.topicId, output.value),
              ...(output.headers ? { headers: headerBuffers(output.headers) } : {}),
            }),
          ),
        ),
      catch: (error) =>
        !isRecordFault(error)
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

  // Throttled like every other fault: an outage of minutes is a handful of lines, not one per record.
  const reportTransient = (record: ConsumedRecord, failure: RecordFailure, span?: StartedSpan) =>
    failure.reason._tag === "TransientFailure"
      ? Effect.andThen(
          Effect.sync(() => options.observer?.retry(failure.reason.code)),
          reportFault(
            health,
            new StageFault({
              reason: "RegistryUnavailable",
              message: `${failure.reason.code}: ${failure.reason.message} (${record.topic}[${record.partition}]@${record.offset}, trace ${traceIdOf(span?.context) ?? "-"})`,
            }),
            "record not processed, offsets not advanced",
          ),
        )
      : Effect.void;

  const encodeDeadLetter = (
    record: ConsumedRecord,
    failure: Parameters<typeof deadLetterEnvelope>[1],
    attempts: number,
    span?: StartedSpan,
  ) =>
    Effect.suspend(() => {
      const envelope = deadLetterEnvelope(record, failure, {
        stage: options.stage,
        attempts,
        now: new Date(),
      });
      // Headers too, so a dead letter is readable without our Avro decoder; in the same transaction as ever.
      const headers = deadLetterHeaders(envelope);
      return encodeOutputs([{ topicId: options.dlqTopic, key: record.key, value: envelope, headers }], span);
    }).pipe(
      // Only an outage can stop the envelope itself from encoding: retry it like any transient failure.
      Effect.retry({ schedule, while: (error: RecordFailure) => error.retryable }),
      Effect.mapError(
        (error) =>
          new StageFault({ reason: "Defect", message: `dead-letter envelope: ${describeError(error)}` }),
      ),
    );

  /** Outputs of one record; fails only with a fatal StageFault (a dead-letter envelope that cannot encode). */
  return (record: ConsumedRecord): Effect.Effect<RecordOutcome, StageFault> => {
    let attempts = 0;
    let transactionId: string | undefined;
    const span = startRecordSpan(options.groupId, record);
    const attempt = Effect.suspend(() => {
      attempts += 1;
      return Effect.flatMap(transformRecord(record), (outputs) => {
        if (debugEnabled) transactionId = transactionIdOf(outputs[0]?.value);
        return encodeOutputs(outputs, span);
      });
    }).pipe(Effect.tapError((failure) => reportTransient(record, failure, span)));
    return attempt.pipe(
      Effect.retry({ schedule, while: (failure: RecordFailure) => failure.retryable }),
      Effect.map((messages): RecordOutcome => ({ messages, deadLetters: 0 })),
      Effect.catchTag(
        "RecordFailure",
        (failure) =>
          failure.reason._tag === "PoisonRecord"
            ? Effect.map(
                encodeDeadLetter(record, failure.reason, attempts, span),
                (messages): RecordOutcome => ({
                  messages,
                  deadLetters: 1,
                  reason: failure.reason._tag === "PoisonRecord" ? failure.reason.code : undefined,
                }),
              )
            : Effect.die(failure), // unreachable: transient failures are retried forever
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
};
