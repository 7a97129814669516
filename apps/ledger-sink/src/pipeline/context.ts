// What every part of the sink's pipeline reads: the options it was started with, and what
// runSinkPipeline set up once for all sessions.
import type { Names } from "@ledgerline/catalogue";
import type { KafkaConnection, RenewableConsumer } from "@ledgerline/kafka";
import type { ClaimedPartitions } from "@ledgerline/ledger-db";
import type { ComponentHealth } from "@ledgerline/observability";
import type { BackoffOptions } from "@ledgerline/resilience";
import type { RegistryCodec } from "@ledgerline/schema-registry";
import type { LedgerWork, WriteResult } from "../domain/writePlan.ts";

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
  /** Longest a fetch waits at the broker for 16 KiB (absent: the client's 100 ms). */
  readonly fetchMaxWaitMs?: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How often blocked partitions are checked for an operator's decision. */
  readonly blockedRecheckMs?: number;
  /** Called after each committed batch (tests and the benchmark count progress with it). */
  readonly onBatch?: (result: WriteResult) => void;
  /** "rows-only" skips postings, balances and the outbox (bench:peers); the default is "double-entry". */
  readonly ledgerWork?: LedgerWork;
}

export interface SinkContext {
  readonly options: SinkPipelineOptions;
  /** The input topics: validated, rejected and the DLQ. */
  readonly topics: readonly string[];
  readonly health: ComponentHealth;
  readonly instanceId: string;
  readonly retry: BackoffOptions;
  /** The group's consumer, renewed between sessions when the retry policy asks or it failed on its own. */
  readonly consumers: RenewableConsumer;
}

/** The topic's id for metrics and logs ("validated"), or its name when the catalogue does not know it. */
export const topicLabel = (context: SinkContext, topic: string): string =>
  context.options.names.topicIdOf(topic) ?? topic;

/** What a session's assignment lets it write: set once per session, read by every batch. */
export interface Assignment {
  /** The partitions this session claimed (claimPartitions) and their epochs: batches write only these. */
  readonly claimed: ClaimedPartitions;
  /** Topic name → the topic's id now (a position belongs to one incarnation of a topic). */
  readonly topicIds: ReadonlyMap<string, string>;
  /** "topic:partition" of the partitions not read until an operator decides. */
  readonly blocked: ReadonlySet<string>;
}

/** The health detail while reading. */
export const readingDetail = (blocked: number): string =>
  blocked > 0 ? `${blocked} partitions blocked` : "resumed from stored offsets";
