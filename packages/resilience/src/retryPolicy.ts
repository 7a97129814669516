// Which faults are retried, and what a loop renews before the next attempt: decided here, per reason, once.
import { Data } from "effect";
import type { FaultReason } from "./StageFault.ts";

/** What a loop re-creates before it tries again (a new stream is always opened after a failed session). */
export type Renewal = "producer" | "consumer";

export type RetryDecision = Data.TaggedEnum<{
  /** Wait (capped, jittered backoff), renew these clients, try again; without limit. */
  Retry: { readonly renew: readonly Renewal[] };
  /** Retrying cannot help: log the cause and the fix in one line and end the process. */
  Stop: { readonly reason: FaultReason };
}>;
export const RetryDecision = Data.taggedEnum<RetryDecision>();

const retry = (...renew: Renewal[]) => RetryDecision.Retry({ renew });

export const retryPolicy = (reason: FaultReason): RetryDecision => {
  switch (reason) {
    // Our transactional id was taken over, or the producer is in a state it cannot leave: a new producer
    // re-initialises the id (and fences whoever still holds the old epoch).
    case "Fenced":
      return retry("producer");
    // The batch is read again from the committed offsets by a new stream, and written by a new producer: a
    // request of the failed transaction may still be in flight (a timed-out produce or EndTxn), and under
    // Transactions V1 it would land in the next transaction of the same epoch (KAFKA-17754, Jepsen 2024).
    // The new producer's InitProducerId bumps the epoch and fences it.
    case "Aborted":
      return retry("producer");
    case "StaleOffsets":
      return retry();
    // Group membership may be gone (a failed rejoin leaves the consumer without heartbeats): a new consumer
    // joins from scratch. Kafka's Java client likewise keeps rejoining until the coordinator answers.
    case "StreamClosed":
    case "CoordinatorUnavailable":
    case "BrokerUnavailable":
      return retry("consumer");
    // Outages of the registry or Postgres: the Kafka clients are fine; cached schemas keep working meanwhile.
    case "RegistryUnavailable":
    case "DatabaseUnavailable":
      return retry();
    case "Misconfigured":
    case "Defect":
      return RetryDecision.Stop({ reason });
  }
};

export const isRetryable = (reason: FaultReason): boolean => retryPolicy(reason)._tag === "Retry";
