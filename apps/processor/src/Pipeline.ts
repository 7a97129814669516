// One consumed record → its outputs: decode (schema resolution), decide (pure), route to a topic.
import type { TopicId } from "@ledgerline/catalogue";
import type { TransactionRequested } from "@ledgerline/contracts";
import { type ConsumedRecord, describeError, type OutputRecord, RecordFailure } from "@ledgerline/kafka";
import { type RegistryCodec, RegistryError } from "@ledgerline/schema-registry";
import { Effect } from "effect";
import { type DecisionContext, type Decoded, decide } from "./domain/decide.ts";

const decodeRequest = (codec: RegistryCodec, record: ConsumedRecord): Effect.Effect<Decoded, RecordFailure> =>
  Effect.tryPromise({
    try: () => codec.decode<TransactionRequested>("requested", record.value),
    catch: (error) => error,
  }).pipe(
    Effect.map((request): Decoded => ({ ok: true, request })),
    Effect.catch((error: unknown) => {
      if (error instanceof RegistryError && !error.recordAtFault) {
        return Effect.fail(RecordFailure.transient(error.reason, error.message));
      }
      return Effect.succeed<Decoded>({
        ok: false,
        reasonCode: error instanceof RegistryError ? error.reason : "MALFORMED_PAYLOAD",
        errorClass: error instanceof Error ? error.name : typeof error,
        message: describeError(error),
      });
    }),
  );

/** The runner's transform for the processor stage. `context` is read per record (the FX table moves). */
export const processorTransform =
  (codec: RegistryCodec, context: () => Omit<DecisionContext, "now">) =>
  (record: ConsumedRecord): Effect.Effect<readonly OutputRecord<TopicId>[], RecordFailure> =>
    Effect.flatMap(
      decodeRequest(codec, record),
      (decoded): Effect.Effect<readonly OutputRecord<TopicId>[], RecordFailure> => {
        const decision = decide(decoded, { ...context(), now: new Date() });
        switch (decision._tag) {
          case "Validated":
            return Effect.succeed([{ topicId: "validated", key: decision.key, value: decision.value }]);
          case "Rejected":
            return Effect.succeed([{ topicId: "rejected", key: decision.key, value: decision.value }]);
          case "DeadLetter":
            return Effect.fail(
              RecordFailure.poison({
                code: decision.reasonCode,
                errorClass: decision.errorClass,
                message: decision.message,
                transactionId: decision.transactionId,
                // Poison bytes stay poison; an enrichment failure may pass after a fix.
                replayable: decision.reasonCode === "ENRICHMENT_FAILED",
              }),
            );
        }
      },
    );
