// Every ledgerline Prometheus metric, defined once. Names carry units, counters end in _total and every
// label has a bounded set of values (stage, logical topic id, reason code) — never a transaction id.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** One registry per process: /metrics serves it; tests read it in-process through `metricsText`. */
export const metricsRegistry = new Registry();

let defaultsCollected = false;
/** Process metrics (CPU, memory, event-loop lag); only when a /metrics endpoint is really served. Under
 *  prom-client's standard names (process_*, nodejs_*), unprefixed, so stock Node.js dashboards find them. */
export const collectProcessMetrics = (service: string) => {
  if (defaultsCollected) return;
  defaultsCollected = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
};

const registers = [metricsRegistry];
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 5, 10, 50, 100, 250, 500, 1_000, 2_000, 5_000];

export const metrics = {
  httpRequests: new Counter({
    name: "ledgerline_http_requests_total",
    help: "HTTP requests answered, by method, route template and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers,
  }),
  httpRequestDuration: new Histogram({
    name: "ledgerline_http_request_duration_seconds",
    help: "HTTP request latency, by method, route template and status code.",
    labelNames: ["method", "route", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  recordsProduced: new Counter({
    name: "ledgerline_kafka_records_produced_total",
    help: "Records produced (acknowledged, or committed in a Kafka transaction), by stage and logical topic.",
    labelNames: ["stage", "topic"] as const,
    registers,
  }),
  recordsConsumed: new Counter({
    name: "ledgerline_kafka_records_consumed_total",
    help: "Records consumed and committed (offsets stored), by stage and logical topic.",
    labelNames: ["stage", "topic"] as const,
    registers,
  }),
  kafkaTransactions: new Counter({
    name: "ledgerline_kafka_transactions_total",
    help: "Kafka transactions ended, by stage and outcome (committed | aborted).",
    labelNames: ["stage", "outcome"] as const,
    registers,
  }),
  kafkaTransactionDuration: new Histogram({
    name: "ledgerline_kafka_transaction_duration_seconds",
    help: "Time from beginTransaction to commit or abort, by stage and outcome.",
    labelNames: ["stage", "outcome"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  batchSize: new Histogram({
    name: "ledgerline_batch_size_records",
    help: "Records per committed batch (Kafka transaction, Postgres transaction or produce call), by stage.",
    labelNames: ["stage"] as const,
    buckets: BATCH_BUCKETS,
    registers,
  }),
  consumerLag: new Gauge({
    name: "ledgerline_kafka_consumer_lag_records",
    help: "Log end offset (read_committed) minus the group's committed offset, by group, topic and partition.",
    labelNames: ["group", "topic", "partition"] as const,
    registers,
  }),
  deadLetters: new Counter({
    name: "ledgerline_dlq_records_total",
    help: "Records sent to the dead-letter topic, by the stage that gave up and its reason code.",
    labelNames: ["stage", "reason"] as const,
    registers,
  }),
  ledgerPosted: new Counter({
    name: "ledgerline_ledger_transactions_posted_total",
    help: "Ledger rows written, by outcome (posted | rejected | dead_lettered | duplicate | conflict).",
    labelNames: ["outcome"] as const,
    registers,
  }),
  postgresTransactionDuration: new Histogram({
    name: "ledgerline_postgres_transaction_duration_seconds",
    help: "Postgres transaction duration, by operation.",
    labelNames: ["operation"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  outboxBacklog: new Gauge({
    name: "ledgerline_outbox_backlog_events",
    help: "Outbox events not yet published to Kafka.",
    registers,
  }),
  outboxOldestAge: new Gauge({
    name: "ledgerline_outbox_oldest_unpublished_age_seconds",
    help: "Age of the oldest unpublished outbox event (0 when the outbox is empty).",
    registers,
  }),
  dependencyErrors: new Counter({
    name: "ledgerline_dependency_errors_total",
    help: "Errors talking to a dependency, by dependency (registry | broker | database) and kind.",
    labelNames: ["dependency", "kind"] as const,
    registers,
  }),
  retries: new Counter({
    name: "ledgerline_retry_attempts_total",
    help: "Retries of transient failures, by stage and reason code.",
    labelNames: ["stage", "reason"] as const,
    registers,
  }),
  sinkPartitionBlocked: new Gauge({
    name: "ledgerline_sink_partition_blocked",
    help: "1 while the ledger sink does not read a partition until an operator decides (RetentionGap, OtherTopic, AheadOfLog).",
    labelNames: ["topic", "partition", "reason"] as const,
    registers,
  }),
  sinkAssignedPartitions: new Gauge({
    name: "ledgerline_sink_assigned_partitions",
    help: "Partitions this ledger sink instance holds, by logical topic (set at every assignment).",
    labelNames: ["topic"] as const,
    registers,
  }),
  sinkRebalances: new Counter({
    name: "ledgerline_sink_rebalances_total",
    help: "Assignments this ledger sink instance received (each one starts reading from the stored positions).",
    registers,
  }),
  outboxParkedTotal: new Counter({
    name: "ledgerline_outbox_parked_total",
    help: "Outbox events the relay parked because they cannot be published, by logical topic.",
    labelNames: ["topic"] as const,
    registers,
  }),
  outboxParked: new Gauge({
    name: "ledgerline_outbox_parked_events",
    help: "Outbox events the relay set aside because they cannot be published (ledgerline outbox parked).",
    registers,
  }),
  stageReady: new Gauge({
    name: "ledgerline_stage_ready",
    help: "1 when the stage (a component of this process) is ready, 0 while it starts or retries a fault.",
    labelNames: ["stage"] as const,
    registers,
  }),
  acceptToPosted: new Histogram({
    name: "ledgerline_accept_to_posted_seconds",
    help: "From the gateway's 202 (accepted_at) to the ledger sink's commit of the posted row.",
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  }),
  stageFaults: new Counter({
    name: "ledgerline_stage_faults_total",
    help: "Faults a stage's loop met and recovered from (or stopped on), by stage and fault reason.",
    labelNames: ["stage", "reason"] as const,
    registers,
  }),
  // The supervisor's own (tools/supervisor, `npm start`): it sees an app that dies before any scrape.
  // `stage_instance`, not `instance`, which Prometheus sets to the scraped target.
  supervisorRestarts: new Counter({
    name: "ledgerline_supervisor_restarts_total",
    help: "Apps the supervisor started again after they exited, by stage, stage instance and how it exited (exit_0 | exit_1 | exit_other | sigkill | signal).",
    labelNames: ["stage", "stage_instance", "reason"] as const,
    registers,
  }),
  supervisorBackoff: new Gauge({
    name: "ledgerline_supervisor_restart_backoff_seconds",
    help: "While an app is down, how long the supervisor waits before starting it again (doubling while it keeps crashing); 0 while it runs.",
    labelNames: ["stage", "stage_instance"] as const,
    registers,
  }),
} as const;

/** This process's ledgerline metrics (not the process defaults) as prom-client's JSON: GET /metrics.json,
 *  which the gateway's console reads instead of parsing the text format. */
export const metricsSnapshot = () => Promise.all(Object.values(metrics).map((metric) => metric.get()));
export type MetricsSnapshot = Awaited<ReturnType<typeof metricsSnapshot>>;

/** The Prometheus text exposition of this process's metrics. */
export const metricsText = (): Promise<string> => metricsRegistry.metrics();
export const METRICS_CONTENT_TYPE = metricsRegistry.contentType;
