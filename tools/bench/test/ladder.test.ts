import { describe, expect, it } from "vitest";
import { benchSettings, parseSteps } from "../src/Config.ts";
import {
  bestSustained,
  renderTable,
  renderVerdict,
  type StepResult,
  sustained,
  totalMicros,
} from "../src/ladder.ts";
import { chartSeries } from "../src/report.ts";

const step = (overrides: Partial<StepResult>): StepResult => ({
  kind: "single",
  batchSize: 1,
  offered: 1_000,
  seconds: 20,
  accepted: 20_000,
  acceptedRate: 1_000,
  postedRate: 995,
  drainMs: 300,
  drained: true,
  dropped: 0,
  failed: 0,
  acceptMs: { p50: 2, p99: 9 },
  toPostedMs: { p50: 80, p99: 400 },
  cpuMicros: { gateway: 150, processor: 70, "ledger-sink": 70, kafka: 60, postgres: 150, registry: 0 },
  loadToolMicros: 90,
  ...overrides,
});

describe("the ladder", () => {
  it("reads steps: batch rates carry the batch size", () => {
    expect(parseSteps("single:1000,2000;batch:40", 100)).toEqual([
      { kind: "single", requestsPerSecond: 1_000, batchSize: 1 },
      { kind: "single", requestsPerSecond: 2_000, batchSize: 1 },
      { kind: "batch", requestsPerSecond: 40, batchSize: 100 },
    ]);
    expect(() => parseSteps("bulk:10", 100)).toThrow(/unknown step kind/);
    expect(() => parseSteps("single:fast", 100)).toThrow(/bad rate/);
    expect(benchSettings(["--profile", "quick", "--seconds", "3"]).seconds).toBe(3);
    // The full profile warms both kinds of request up; the quick one only what its smoke run needs.
    expect(benchSettings([]).warmUp.map((step) => step.kind)).toEqual(["single", "batch"]);
    expect(benchSettings(["--profile", "quick"]).warmUp).toHaveLength(1);
  });

  it("calls a step sustained only when everything accepted went in, in time", () => {
    expect(sustained(step({}))).toBe(true);
    expect(sustained(step({ toPostedMs: { p50: 300, p99: 1_200 } }))).toBe(false);
    expect(sustained(step({ drained: false }))).toBe(false);
    expect(sustained(step({ acceptedRate: 900 }))).toBe(false); // the gateway shed load
  });

  it("finds the highest sustained rate of each kind and prints it under the table", () => {
    const results = [
      step({ offered: 1_000, postedRate: 995 }),
      step({ offered: 2_000, acceptedRate: 2_000, postedRate: 1_990 }),
      step({ offered: 3_000, acceptedRate: 3_000, postedRate: 2_500, toPostedMs: { p50: 900, p99: 4_000 } }),
      step({ kind: "batch", batchSize: 100, offered: 4_000, acceptedRate: 4_000, postedRate: 3_990 }),
    ];
    expect(bestSustained(results, "single")?.offered).toBe(2_000);
    expect(bestSustained(results, "batch")?.offered).toBe(4_000);
    expect(totalMicros(results[0] as StepResult)).toBe(500);
    const table = renderTable(results);
    expect(table.split("\n")).toHaveLength(5);
    expect(table).toContain("batch×100");
    expect(renderVerdict(results)).toContain("single: highest sustained 1990 posted/s (offered 2000)");
    expect(renderVerdict([step({ drained: false })])).toContain("no step was sustained");
  });

  it("lines single and batch steps up on one rate axis for the chart", () => {
    const series = chartSeries([
      step({ offered: 1_000 }),
      step({ kind: "batch", batchSize: 100, offered: 4_000, postedRate: 3_990 }),
    ]);
    expect(series.offered).toEqual([1_000, 4_000]);
    expect(series.singlePosted).toEqual([995, null]);
    expect(series.batchPosted).toEqual([null, 3_990]);
  });
});
