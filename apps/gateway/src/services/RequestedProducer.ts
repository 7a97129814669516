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
      const connect = () =>
        createIdempotentProducer({
          bootstrapBrokers: parseBrokers(connections.bootstrapServers),
          security: connections.kafkaSecurity,
          clientId: "ledgerline-gateway",
          timeoutMs: Math.max(1_000, settings.ackTimeoutMs),
          retries: 2,
        });
      let producer: RecordProducer = connect();

      const send = async (records: OutgoingRecord[]): Promise<void> => {
        const current = producer;
        try {
          await current.send({
            messages: records.map(({ key, value, headers }) =>
              headers ? { topic, key, value, headers: headerBuffers(headers) } : { topic, key, value },
            ),
          });
          countProduced(records.length);
        } catch (error) {
          countProduceError(error);
          // A fatal producer state (sequence/epoch trouble after an outage) needs a fresh producer.
          if (isFencedOrFatal(error) && producer === current) {
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
      });

      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          await batcher.close();
          await producer.close().catch(() => undefined);
        }),
      );

      const timeout = <A>(ms: number, promise: Promise<A>): Promise<A> =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
          promise.then(resolve, reject).finally(() => clearTimeout(timer));
        });

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
          try: () => timeout(settings.readyTimeoutMs, producer.metadata({ topics: [topic] })),
          catch: (error) =>
            new PublishError({ reason: "BROKER_UNAVAILABLE", detail: `Kafka: ${describeError(error)}` }),
        }).pipe(Effect.asVoid),
        inFlight: () => batcher.inFlight,
        drain: Effect.promise(() => batcher.close()),
      });
    }),
  );
}
