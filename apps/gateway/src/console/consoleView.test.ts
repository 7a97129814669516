import type { PipelineStatus } from "@ledgerline/contracts";
import { describe, expect, it } from "vitest";
import {
  deadLetterKey,
  detectRestarts,
  histogramQuantile,
  lagKey,
  lagOf,
  latencyOver,
  type MetricJson,
  outboxOf,
  readingOf,
  type Sample,
  type SourceReading,
  throughputSeries,
} from "./consoleView.ts";

const reading = (
  flows: Partial<SourceReading["flows"]>,
  latency: [number, number][] = [],
): SourceReading => ({
  flows: { gateway: 0, processor: 0, "ledger-sink": 0, "outbox-relay": 0, ...flows },
  latency,
  outbox: null,
  deadLetters: {},
  blocked: null,
});
const sample = (at: number, sources: Record<string, SourceReading>): Sample => ({
  at,
  sources: new Map(Object.entries(sources)),
  lag: null,
});

describe("console view", () => {
  it("reads flows, the latency histogram and the outbox from prom-client's JSON", () => {
    const snapshot: MetricJson[] = [
      {
        name: "ledgerline_kafka_records_consumed_total",
        values: [
          { value: 7, labels: { stage: "ledger-sink", topic: "validated" } },
          { value: 3, labels: { stage: "ledger-sink", topic: "rejected" } },
          { value: 99, labels: { stage: "fx", topic: "fx" } },
        ],
      },
      {
        name: "ledgerline_kafka_records_produced_total",
        values: [{ value: 5, labels: { stage: "outbox-relay", topic: "posted" } }],
      },
      {
        name: "ledgerline_accept_to_posted_seconds",
        values: [
          { value: 4, labels: { le: "+Inf" }, metricName: "ledgerline_accept_to_posted_seconds_bucket" },
          { value: 1, labels: { le: 0.1 }, metricName: "ledgerline_accept_to_posted_seconds_bucket" },
          { value: 3, labels: { le: 1 }, metricName: "ledgerline_accept_to_posted_seconds_bucket" },
          { value: 2.5, labels: {}, metricName: "ledgerline_accept_to_posted_seconds_sum" },
        ],
      },
      { name: "ledgerline_outbox_backlog_events", values: [{ value: 12, labels: {} }] },
      { name: "ledgerline_outbox_oldest_unpublished_age_seconds", values: [{ value: 1.5, labels: {} }] },
      {
        name: "ledgerline_dlq_records_total",
        values: [
          { value: 2, labels: { stage: "ledger-sink", reason: "UNKNOWN_ACCOUNT" } },
          { value: 1, labels: { stage: "ledger-sink", reason: "NOT_WIRE_FORMAT" } },
        ],
      },
      {
        name: "ledgerline_sink_partition_blocked",
        values: [
          { value: 1, labels: { topic: "validated", partition: 3, reason: "RetentionGap" } },
          { value: 0, labels: { topic: "validated", partition: 4, reason: "RetentionGap" } },
        ],
      },
    ];
    const sink = readingOf(snapshot, true);
    expect(sink.flows).toEqual({ gateway: 0, processor: 0, "ledger-sink": 10, "outbox-relay": 5 });
    expect(sink.latency).toEqual([
      [0.1, 1],
      [1, 3],
      [Number.POSITIVE_INFINITY, 4],
    ]);
    expect(sink.outbox).toEqual({ backlog: 12, oldest: 1.5, parked: 0 });
    expect(readingOf(snapshot, false).outbox).toBeNull();
    expect(sink.deadLetters).toEqual({
      [deadLetterKey("ledger-sink", "UNKNOWN_ACCOUNT")]: 2,
      [deadLetterKey("ledger-sink", "NOT_WIRE_FORMAT")]: 1,
    });
    expect(sink.blocked).toEqual([{ topic: "validated", partition: 3, reason: "RetentionGap" }]);
    expect(readingOf(snapshot, false).blocked).toBeNull();
  });

  it("rates per second per flow, summed over instances, across a restart's counter reset", () => {
    const series = throughputSeries([
      sample(0, { a: reading({ processor: 100 }), b: reading({ processor: 50 }) }),
      sample(2_000, { a: reading({ processor: 140 }), b: reading({ processor: 70 }) }),
      // b restarted: its counter starts again from 0 and counted 6 since.
      sample(4_000, { a: reading({ processor: 180 }), b: reading({ processor: 6 }) }),
      // a did not answer; a new instance c appears (its first reading only sets the base).
      sample(6_000, { b: reading({ processor: 16 }), c: reading({ processor: 1_000 }) }),
    ]);
    const processor = series.find((s) => s.stage === "processor");
    expect(processor?.points.map((p) => p.per_second)).toEqual([30, 23, 5]);
    expect(processor?.points[0]?.at).toBe(new Date(2_000).toISOString());
  });

  it("estimates quantiles like histogram_quantile, over the window's increase", () => {
    expect(histogramQuantile(0.5, [])).toBeNull();
    const buckets: [number, number][] = [
      [0.1, 50],
      [1, 90],
      [10, 100],
      [Number.POSITIVE_INFINITY, 100],
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(1 + (9 * 9) / 10);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.05);
    const latency = latencyOver([
      sample(0, {
        s: reading({}, [
          [0.1, 10],
          [1, 10],
          [Number.POSITIVE_INFINITY, 10],
        ]),
      }),
      sample(60_000, {
        s: reading({}, [
          [0.1, 10],
          [1, 20],
          [Number.POSITIVE_INFINITY, 20],
        ]),
      }),
    ]);
    expect(latency.count).toBe(10);
    expect(latency.p50_seconds).toBeCloseTo(0.55);
  });

  it("takes the outbox from the sinks that sampled it", () => {
    expect(outboxOf(undefined)).toBeNull();
    expect(outboxOf(sample(0, { g: reading({}) }))).toBeNull();
    const sink = { ...reading({}), outbox: { backlog: 3, oldest: 2, parked: 1 } };
    expect(outboxOf(sample(0, { g: reading({}), s: sink }))).toEqual({
      backlog: 3,
      oldest_unpublished_seconds: 2,
      parked: 1,
    });
  });

  it("notes a restart when an instance answers with another pid or start time", () => {
    const status = (pid: number): PipelineStatus => ({
      status: "flowing",
      checked_at: "2026-01-01T00:00:00.000Z",
      stages: [
        {
          stage: "processor",
          state: "ready",
          instances: [{ url: "http://p", state: "ready", pid, started_at: `t${pid}` }],
          lag: null,
        },
      ],
    });
    const now = new Date("2026-01-01T00:00:05.000Z");
    const first = detectRestarts(new Map(), status(10), now);
    expect(first.restarts).toEqual([]);
    expect(detectRestarts(first.seen, status(10), now).restarts).toEqual([]);
    expect(detectRestarts(first.seen, status(11), now).restarts).toEqual([
      { stage: "processor", url: "http://p", pid: 11, started_at: "t11", observed_at: now.toISOString() },
    ]);
  });

  it("sums each consuming stage's lag per topic; null when Kafka gave none", () => {
    const status = (lag: PipelineStatus["stages"][number]["lag"]): PipelineStatus => ({
      status: "flowing",
      checked_at: "2026-01-01T00:00:00.000Z",
      stages: [
        { stage: "gateway", state: "ready", instances: [], lag: null },
        { stage: "processor", state: "ready", instances: [], lag },
      ],
    });
    expect(lagOf(status(null))).toBeNull();
    const parts = [
      { topic: "requested", partition: 0, lag: 4 },
      { topic: "requested", partition: 1, lag: 6 },
      { topic: "fx", partition: 0, lag: 1 },
    ];
    expect(lagOf(status({ total: 11, partitions: parts }))).toEqual(
      new Map([
        [lagKey("processor", "requested"), 10],
        [lagKey("processor", "fx"), 1],
      ]),
    );
  });
});
