// The single place that names topics, subjects and stages. Every other module imports from here.

/** Compatibility levels understood by the Confluent-compatible registry API. */
export type Compatibility =
  | "BACKWARD"
  | "BACKWARD_TRANSITIVE"
  | "FORWARD"
  | "FORWARD_TRANSITIVE"
  | "FULL"
  | "FULL_TRANSITIVE"
  | "NONE";

export interface TopicSpec {
  /** Logical name; the real name is `${namespace}.${name}` when a namespace is set. */
  readonly name: string;
  readonly partitions: number;
  /** Replication is the cluster's to decide (replicationFor); these are the topic's other settings. */
  readonly config: Readonly<Record<string, string>>;
  /** Keys are plain UTF-8 strings (not registry-encoded), so any client partitions them alike. */
  readonly key: { readonly format: "string"; readonly doc: string };
  /**
   * The value subject (TopicNameStrategy: `<topic>-value`) and the .avsc file under schemas/avro/, with the
   * subject's earlier versions (schemas/avro/history/, oldest first): apply registers them in order before
   * the current file, so every registry numbers the versions alike.
   */
  readonly value: {
    readonly schemaFile: string;
    readonly history: readonly string[];
    readonly compatibility: Compatibility;
  };
  readonly doc: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export interface Replication {
  readonly replicationFactor: number;
  /** Replicas that must have a write before acks=all answers: one broker may be lost without losing it. */
  readonly minInsyncReplicas: number;
}

/**
 * How every topic is replicated on a cluster of `brokers`: three copies with two in sync once the cluster
 * has three brokers (a broker can fail or restart and writes go on, nothing acknowledged is lost), as many
 * copies as brokers below that. Kafka's internal topics are configured to match (ops/stack/up.sh).
 */
export const replicationFor = (brokers: number): Replication =>
  brokers >= 3
    ? { replicationFactor: 3, minInsyncReplicas: 2 }
    : { replicationFactor: Math.max(1, brokers), minInsyncReplicas: 1 };

const eventTopic = (
  name: string,
  schemaFile: string,
  doc: string,
  options: {
    partitions?: number;
    retentionDays?: number;
    compatibility?: Compatibility;
    history?: readonly string[];
  } = {},
): TopicSpec => ({
  name,
  partitions: options.partitions ?? 6,
  config: {
    "cleanup.policy": "delete",
    "retention.ms": String((options.retentionDays ?? 7) * DAY_MS),
  },
  key: { format: "string", doc: "account id, so one account's transactions stay ordered" },
  value: {
    schemaFile,
    history: options.history ?? [],
    compatibility: options.compatibility ?? "FULL_TRANSITIVE",
  },
  doc,
});

export const topics = {
  requested: eventTopic(
    "transactions.requested",
    "TransactionRequested.avsc",
    "Transactions accepted by the gateway (or produced by other teams), not yet validated.",
    // We are this topic's consumer: BACKWARD_TRANSITIVE lets producers stay on any older version.
    { compatibility: "BACKWARD_TRANSITIVE", history: ["history/TransactionRequested.v1.avsc"] },
  ),
  validated: eventTopic(
    "transactions.validated",
    "TransactionValidated.avsc",
    "Enriched, valid transactions ready for the ledger.",
    { history: ["history/TransactionValidated.v1.avsc"] },
  ),
  rejected: eventTopic(
    "transactions.rejected",
    "TransactionRejected.avsc",
    "Transactions that failed validation, with machine-readable reasons.",
    { history: ["history/TransactionRejected.v1.avsc"] },
  ),
  posted: eventTopic(
    "transactions.posted",
    "TransactionPosted.avsc",
    "Ledger postings published from the outbox; carries event_id for deduplication.",
    { retentionDays: 30, history: ["history/TransactionPosted.v1.avsc"] },
  ),
  dlq: eventTopic(
    "transactions.dlq",
    "DeadLetter.avsc",
    "Records no stage could process, in an envelope with the original bytes and the reason.",
    { partitions: 3, retentionDays: 30 },
  ),
  fxRates: {
    name: "fx.rates",
    partitions: 1,
    config: { "cleanup.policy": "compact", "min.compaction.lag.ms": "0" },
    key: { format: "string", doc: "ISO 4217 currency code the rate converts from" },
    value: { schemaFile: "FxRate.avsc", history: [], compatibility: "FULL_TRANSITIVE" },
    doc: "Compacted reference table of FX rates into the base currency, keyed by currency.",
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicId = keyof typeof topics;

export interface StageSpec {
  readonly name: string;
  readonly doc: string;
  /** Consumer group id (namespaced like topics). */
  readonly group?: string;
  readonly inputs: readonly TopicId[];
  readonly outputs: readonly TopicId[];
  /** Reference tables read whole into memory (stream-table joins). */
  readonly tables?: readonly TopicId[];
  /** Prefix of the transactional id; the instance id is appended. */
  readonly transactionalIdPrefix?: string;
  readonly dlq?: TopicId;
}

export const stages = {
  gateway: {
    name: "gateway",
    doc: "HTTP ingest; idempotent producer, acks=all",
    inputs: [],
    outputs: ["requested"],
  },
  processor: {
    name: "processor",
    doc: "enrich + validate, exactly-once (consume-transform-produce)",
    group: "ledgerline.processor",
    inputs: ["requested"],
    outputs: ["validated", "rejected"],
    tables: ["fxRates"],
    transactionalIdPrefix: "ledgerline.processor",
    dlq: "dlq",
  },
  ledgerSink: {
    name: "ledger-sink",
    doc: "idempotent double-entry posting; offsets stored in Postgres",
    group: "ledgerline.ledger-sink",
    inputs: ["validated", "rejected", "dlq"],
    outputs: [],
    dlq: "dlq",
  },
  outboxRelay: {
    name: "outbox-relay",
    doc: "publishes outbox rows in Kafka transactions (posted, and the ledger's own rejections)",
    inputs: [],
    outputs: ["posted", "rejected"],
    transactionalIdPrefix: "ledgerline.outbox-relay",
  },
  dlqReplay: {
    name: "dlq-replay",
    doc: "ops replay of dead letters, exactly-once",
    group: "ledgerline.dlq-replay",
    inputs: ["dlq"],
    outputs: ["requested", "validated", "rejected"],
    transactionalIdPrefix: "ledgerline.dlq-replay",
  },
} as const satisfies Record<string, StageSpec>;

export type StageId = keyof typeof stages;
