// The operator console's numbers from samples of what the stages export: pure, so the arithmetic
// (counter resets, rates, histogram quantiles, restarts) is unit-tested and the service only gathers.
import type { ConsoleData, PipelineStatus, StageInstance } from "@ledgerline/contracts";

/** prom-client's JSON for one metric (GET /metrics.json), as read off the wire. */
export interface MetricJson {
  readonly name: string;
  readonly values: readonly {
    readonly value: number;
    readonly labels: Readonly<Record<string, string | number>>;
    readonly metricName?: string;
  }[];
}

/** The flow each throughput line shows, and the counter it comes from. */
export const FLOWS = [
  { stage: "gateway", label: "accepted (gateway)", metric: "ledgerline_kafka_records_produced_total" },
  { stage: "processor", label: "processed (processor)", metric: "ledgerline_kafka_records_consumed_total" },
  { stage: "ledger-sink", label: "stored (ledger sink)", metric: "ledgerline_kafka_records_consumed_total" },
  {
    stage: "outbox-relay",
    label: "published (outbox relay)",
    metric: "ledgerline_kafka_records_produced_total",
  },
] as const;
export type Flow = (typeof FLOWS)[number]["stage"];

/** What one process exported at one moment (cumulative counters). */
export interface SourceReading {
  readonly flows: Readonly<Record<Flow, number>>;
  /** Accept → posted histogram: cumulative count per upper bound (Infinity last). */
  readonly latency: readonly (readonly [le: number, count: number])[];
  readonly outbox: { readonly backlog: number; readonly oldest: number; readonly parked: number } | null;
  /** ledgerline_dlq_records_total by `deadLetterKey(stage, reason)` (a series appears once counted). */
  readonly deadLetters: Readonly<Record<string, number>>;
  /** Partitions a ledger sink does not read (ledgerline_sink_partition_blocked = 1); null: not a sink. */
  readonly blocked: readonly BlockedPartition[] | null;
}

export interface BlockedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly reason: string;
}

export const deadLetterKey = (stage: string, reason: string) => `${stage} · ${reason}`;

export interface Sample {
  readonly at: number;
  /** By process (its metrics URL, or "gateway" for the gateway itself). */
  readonly sources: ReadonlyMap<string, SourceReading>;
  /** Consumer lag by `lagKey(stage, topic)`, summed over partitions; null when Kafka did not answer. */
  readonly lag: ReadonlyMap<string, number> | null;
}

export const lagKey = (stage: string, topic: string) => `${stage} · ${topic}`;

/** Each consuming stage's lag per topic, as GET /status reported it. */
export const lagOf = (pipeline: PipelineStatus): Map<string, number> | null => {
  const consuming = pipeline.stages.filter((stage) => stage.lag !== null);
  if (consuming.length === 0) return null;
  const lag = new Map<string, number>();
  for (const stage of consuming)
    for (const p of stage.lag?.partitions ?? [])
      lag.set(lagKey(stage.stage, p.topic), (lag.get(lagKey(stage.stage, p.topic)) ?? 0) + p.lag);
  return lag;
};

const metric = (snapshot: readonly MetricJson[], name: string) => snapshot.find((m) => m.name === name);

/** `samplesOutbox`: the process is a ledger sink, the one that samples the outbox into its gauges (in
 *  other processes they read 0 because nothing sets them) and reports its blocked partitions. */
export const readingOf = (snapshot: readonly MetricJson[], samplesOutbox: boolean): SourceReading => {
  const flows = Object.fromEntries(
    FLOWS.map((flow) => [
      flow.stage,
      (metric(snapshot, flow.metric)?.values ?? [])
        .filter((v) => v.labels.stage === flow.stage)
        .reduce((sum, v) => sum + v.value, 0),
    ]),
  ) as Record<Flow, number>;
  const latency = (metric(snapshot, "ledgerline_accept_to_posted_seconds")?.values ?? [])
    .filter((v) => v.metricName === "ledgerline_accept_to_posted_seconds_bucket")
    .map((v) => [v.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(v.labels.le), v.value] as const)
    .sort((a, b) => a[0] - b[0]);
  const gauge = (name: string) => metric(snapshot, name)?.values[0]?.value;
  const backlog = gauge("ledgerline_outbox_backlog_events");
  const deadLetters: Record<string, number> = {};
  for (const v of metric(snapshot, "ledgerline_dlq_records_total")?.values ?? []) {
    const key = deadLetterKey(String(v.labels.stage), String(v.labels.reason));
    deadLetters[key] = (deadLetters[key] ?? 0) + v.value;
  }
  return {
    flows,
    latency,
    deadLetters,
    blocked: samplesOutbox
      ? (metric(snapshot, "ledgerline_sink_partition_blocked")?.values ?? [])
          .filter((v) => v.value === 1)
          .map((v) => ({
            topic: String(v.labels.topic),
            partition: Number(v.labels.partition),
            reason: String(v.labels.reason),
          }))
      : null,
    outbox:
      samplesOutbox && backlog !== undefined
        ? {
            backlog,
            oldest: gauge("ledgerline_outbox_oldest_unpublished_age_seconds") ?? 0,
            parked: gauge("ledgerline_outbox_parked_events") ?? 0,
          }
        : null,
  };
};

/** A counter's increase between two readings of one process: a smaller value means it restarted. */
export const increase = (before: number | undefined, after: number | undefined) =>
  after === undefined || before === undefined ? 0 : after >= before ? after - before : after;

/** Records per second of each flow between consecutive samples, oldest first. */
export const throughputSeries = (samples: readonly Sample[]): ConsoleData["throughput"]["series"] =>
  FLOWS.map((flow) => ({
    stage: flow.stage,
    label: flow.label,
    points: samples.slice(1).map((sample, i) => {
      const previous = samples[i] as Sample;
      let total = 0;
      for (const [source, reading] of sample.sources)
        total += increase(previous.sources.get(source)?.flows[flow.stage], reading.flows[flow.stage]);
      const seconds = Math.max(0.001, (sample.at - previous.at) / 1_000);
      return { at: new Date(sample.at).toISOString(), per_second: Math.round((total / seconds) * 10) / 10 };
    }),
  }));

/** Prometheus' histogram_quantile: linear interpolation inside the bucket that holds the rank. */
export const histogramQuantile = (
  q: number,
  buckets: readonly (readonly [le: number, count: number])[],
): number | null => {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerBound;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / Math.max(1, count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
};

/** Accept → posted's histogram over the samples' span: its increase, summed over processes. */
export const latencyBuckets = (samples: readonly Sample[]): [le: number, count: number][] => {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || first === last) return [];
  const byBound = new Map<number, number>();
  for (const [source, reading] of last.sources) {
    const before = new Map(first.sources.get(source)?.latency ?? []);
    for (const [le, count] of reading.latency)
      byBound.set(le, (byBound.get(le) ?? 0) + increase(before.get(le) ?? 0, count));
  }
  return [...byBound.entries()].sort((a, b) => a[0] - b[0]);
};

/** Accept → posted over the samples' span: how many were posted, p50 and p99. */
export const latencyOver = (samples: readonly Sample[]): Omit<ConsoleData["latency"], "window_seconds"> => {
  const buckets = latencyBuckets(samples);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    count: buckets.at(-1)?.[1] ?? 0,
    p50_seconds: round(histogramQuantile(0.5, buckets)),
    p99_seconds: round(histogramQuantile(0.99, buckets)),
  };
};

/** The outbox as the newest sample's sink(s) reported it. */
export const outboxOf = (sample: Sample | undefined): ConsoleData["outbox"] => {
  const readings = [...(sample?.sources.values() ?? [])].flatMap((r) => (r.outbox ? [r.outbox] : []));
  if (readings.length === 0) return null;
  return {
    backlog: Math.max(...readings.map((r) => r.backlog)),
    oldest_unpublished_seconds: Math.max(...readings.map((r) => r.oldest)),
    parked: Math.max(...readings.map((r) => r.parked)),
  };
};

export type Restart = ConsoleData["restarts"][number];

/** Instances whose pid or start time changed since they were last seen: each is one restart. */
export const detectRestarts = (
  seen: ReadonlyMap<string, { pid?: number; started_at?: string }>,
  pipeline: PipelineStatus,
  now: Date,
): { restarts: Restart[]; seen: Map<string, { pid?: number; started_at?: string }> } => {
  const next = new Map(seen);
  const restarts: Restart[] = [];
  for (const stage of pipeline.stages) {
    for (const instance of stage.instances as StageInstance[]) {
      if (instance.pid === undefined && instance.started_at === undefined) continue;
      const before = seen.get(instance.url);
      if (before && (before.pid !== instance.pid || before.started_at !== instance.started_at)) {
        restarts.push({
          stage: stage.stage,
          url: instance.url,
          pid: instance.pid ?? null,
          started_at: instance.started_at ?? null,
          observed_at: now.toISOString(),
        });
      }
      next.set(instance.url, { pid: instance.pid, started_at: instance.started_at });
    }
  }
  return { restarts, seen: next };
};
