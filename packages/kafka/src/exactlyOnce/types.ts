// What a consume-transform-produce stage hands the exactly-once runner, and what it gets back per batch.
import type { ComponentHealth } from "@ledgerline/observability";
import type { Effect } from "effect";
import type { ConsumedRecord } from "../BatchReader.ts";
import type { KafkaConnection } from "../clients.ts";
import type { RecordFailure } from "../RecordFailure.ts";
import type { RunnerObserver } from "../RunnerObserver.ts";

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

/** Encodes values for a topic (RegistryCodec fits); an error classifyFault calls retryable is an outage. */
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
  /** Longest wait to fill a batch, i.e. the commit interval (default 100 ms; the processor sets 20). */
  readonly maxBatchTimeMs?: number;
  /** Longest a fetch waits at the broker for 16 KiB before answering with what it has (default 100 ms). */
  readonly fetchMaxWaitMs?: number;
  /** Backoff for transient failures: exponential from baseMs, capped at maxMs, jittered. */
  readonly retry?: { readonly baseMs?: number; readonly maxMs?: number };
  /** "at-least-once" (plain produce + offset commit) exists only to measure the cost of transactions. */
  readonly mode?: "exactly-once" | "at-least-once";
  readonly sessionTimeoutMs?: number;
  /** Static group membership id (stable per instance, like the transactional id); optional. */
  readonly groupInstanceId?: string;
  /** The variable that sets the instance id, named when the id is refused as in use (claimInstance). */
  readonly instanceIdVariable?: string;
  readonly onBatch?: (stats: BatchStats) => void;
  /** Per-batch hooks for metrics (optional). */
  readonly observer?: RunnerObserver;
  /** Where readiness is reported: ready once the group is joined, retrying while a fault lasts. */
  readonly health?: ComponentHealth;
}

/** A batch whose records were transformed and encoded, ready to commit in one transaction. */
export interface PreparedBatch {
  readonly batch: readonly ConsumedRecord[];
  readonly results: readonly RecordOutcome[];
  readonly started: number;
}

export type EncodedMessage = import("@platformatic/kafka").MessageToProduce<string, Buffer, string, Buffer>;

export interface RecordOutcome {
  readonly messages: readonly EncodedMessage[];
  readonly deadLetters: number;
  readonly reason?: string | undefined;
}
