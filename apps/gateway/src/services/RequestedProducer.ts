// The Kafka side of ingest as an Effect service: an idempotent acks=all producer behind the
// ProduceBatcher. publish succeeds only once the broker acknowledged that record.
import { names } from "@ledgerline/catalogue";
import {
  createIdempotentProducer,
  describeError,
  headerBuffers,
  isFencedOrFatal,
  parseBrokers,
  type RecordProducer,
} from "@ledgerline/kafka";
import { classifyFault, isRetryable } from "@ledgerline/resilience";
import { Context, Effect, Layer } from "effect";
import { GatewayConfig } from "../Config.ts";
import { PublishError } from "../errors.ts";
import { countProduced, countProduceError } from "../gatewayMetrics.ts";
import { BatcherError, type OutgoingRecord, ProduceBatcher } from "../ProduceBatcher.ts";

const REASONS = {
  BUFFER_FULL: "BUFFER_FULL",
  ACK_TIMEOUT: "ACK_TIMEOUT",
  SEND_FAILED: "BROKER_UNAVAILABLE",
  CLOSED: "SHUTTING_DOWN",
} as const;

class SendStalled extends Error {
  override readonly name = "SendStalled";
}

/** The promise's outcome, or SendStalled once `ms` passed without one. */
const within = <A>(ms: number, promise: Promise<A>): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new SendStalled(`no answer from Kafka within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });

export class RequestedProducer extends Context.Service<
  RequestedProducer,
  {
    /**
     * Produces one record (key = account id) to transactions.requested; resolves once acked, rejects
     * with PublishError. Per request, so a Promise: an Effect per call costs more than the produce.
     */
    publish(record: OutgoingRecord): Promise<void>;
    /** Readiness: the broker answers a metadata request for our topic. */
    check: Effect.Effect<void, PublishError>;
    readonly inFlight: () => number;
    /** Stop accepting, wait for every in-flight record to be acked or failed. */
    readonly drain: Effect.Effect<void>;
  }
>()("ledgerline/gateway/RequestedProducer") {
  static readonly layer = Layer.effect(
    RequestedProducer,
    Effect.gen(function* () {
      const { settings, connections } = yield* GatewayConfig;
      const topic = names(settings.namespace).topic("requested");
      // A send unsettled past this is given up and its records sent again by a new producer: during a
      // failover the client can leave a send that never settles, and nothing behind it must wait for it.
      const stallMs = Math.max(1_500, Math.floor(settings.ackTimeoutMs / 2));
      const connect = () =>
        createIdempotentProducer({
          bootstrapBrokers: parseBrokers(connections.bootstrapServers),
          security: connections.kafkaSecurity,
          clientId: "ledgerline-gateway",
          // A POST is held while a partition's leadership moves (a dead broker's partitions have no leader
          // until the controller fences it: ops/stack/kafka/failure-detection.properties), up to its ack
          // timeout. The client retries every 250 ms on fresh metadata with the same sequence numbers (no
          // duplicate); a broker holding a write longer than 40% of the timeout (waiting for a dead replica)
          // answers REQUEST_TIMED_OUT, and a request with no answer is dropped at half of it.
          retries: Math.ceil(settings.ackTimeoutMs / 250),
          timeoutMs: Math.max(1_000, Math.floor(settings.ackTimeoutMs * 0.4)),
          requestTimeoutMs: stallMs,
        });
      let producer: RecordProducer = connect();

      const send = async (records: OutgoingRecord[]): Promise<void> => {
        const current = producer;
        try {
          await within(
            stallMs,
            current.send({
              messages: records.map(({ key, value, headers }) =>
                headers ? { topic, key, value, headers: headerBuffers(headers) } : { topic, key, value },
              ),
            }),
          );
          countProduced(records.length);
        } catch (error) {
          countProduceError(error);
          // A fatal producer state (sequence/epoch trouble after an outage) or a stalled one needs a new producer.
          if ((isFencedOrFatal(error) || error instanceof SendStalled) && producer === current) {
            producer = connect();
            current.close(true).catch(() => undefined);
          }
          throw new Error(describeError(error), { cause: error });
        }
      };

      const batcher = new ProduceBatcher(send, {
        lingerMs: settings.lingerMs,
        maxBatch: settings.produceMaxBatch,
        maxInFlight: settings.maxInFlight,
        maxConcurrentSends: settings.maxConcurrentProduces,
        ackTimeoutMs: settings.ackTimeoutMs,
        // What the client's own retries leave (a send failed across a leader change, a stalled or replaced
        // producer) is sent again until the deadline: only a fault no retry fixes (a refused ACL) is a 503 now.
        retryable: (error) => {
          const cause = (error as Error).cause ?? error;
          return cause instanceof SendStalled || isRetryable(classifyFault(cause).reason);
        },
      });

      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          await batcher.close();
          await producer.close().catch(() => undefined);
        }),
      );

      return RequestedProducer.of({
        publish: (record) =>
          batcher
            .submit(record)
            .catch((error: unknown) =>
              Promise.reject(
                error instanceof BatcherError
                  ? new PublishError({ reason: REASONS[error.reason], detail: `Kafka: ${error.message}` })
                  : new PublishError({ reason: "BROKER_UNAVAILABLE", detail: String(error) }),
              ),
            ),
        check: Effect.tryPromise({
          try: () => within(settings.readyTimeoutMs, producer.metadata({ topics: [topic] })),
          catch: (error) =>
            new PublishError({ reason: "BROKER_UNAVAILABLE", detail: `Kafka: ${describeError(error)}` }),
        }).pipe(Effect.asVoid),
        inFlight: () => batcher.inFlight,
        drain: Effect.promise(() => batcher.close()),
      });
    }),
  );
}
