import { describe, expect, it } from "vitest";
import { benchSettings, parseMixes, parseSteps } from "../src/Config.ts";
import {
  bestSustained,
  postedVsBaseline,
  renderTable,
  renderVerdict,
  type StepResult,
  sustained,
  sustainedVsBaseline,
  totalMicros,
} from "../src/ladder.ts";
import { chartSeries, jsonSteps } from "../src/report.ts";

const step = (overrides: Partial<StepResult>): StepResult => ({
  kind: "single",
  mix: "spread",
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

describe("mixes side by side", () => {
  it("reads --mixes, each once and in order, spread when not given", () => {
    expect(parseMixes(" spread, hot-merchant,cash ")).toEqual(["spread", "hot-merchant", "cash"]);
    expect(() => parseMixes("spread,hot")).toThrow(/unknown mix "hot"/);
    expect(() => parseMixes("cash,cash")).toThrow(/twice/);
    expect(() => parseMixes(" , ")).toThrow(/no mix/);
    expect(benchSettings([]).mixes).toEqual(["spread"]);
    expect(benchSettings(["--profile", "quick"]).mixes).toEqual(["spread"]);
    expect(benchSettings(["--mixes", "cash,spread"]).mixes).toEqual(["cash", "spread"]);
    const hot = benchSettings(["--profile", "hot"]);
    expect(hot.mixes).toEqual(["spread", "payments", "hot-merchant", "cash"]);
    expect(hot.steps.map((s) => `${s.kind}:${s.requestsPerSecond * s.batchSize}`)).toEqual([
      "batch:3000",
      "batch:6000",
      "single:1000",
    ]);
    // The flag wins over the profile's mixes, as --steps over its steps.
    expect(benchSettings(["--profile", "hot", "--mixes", "spread,cash"]).mixes).toEqual(["spread", "cash"]);
    expect(() => benchSettings(["--profile", "warm"])).toThrow(/full, quick, hot/);
  });

  const run = [
    step({ offered: 1_000, postedRate: 1_000 }),
    step({ mix: "hot-merchant", offered: 1_000, postedRate: 950 }),
    step({ kind: "batch", batchSize: 100, offered: 6_000, acceptedRate: 6_000, postedRate: 4_000 }),
    step({
      kind: "batch",
      mix: "hot-merchant",
      batchSize: 100,
      offered: 6_000,
      acceptedRate: 6_000,
      postedRate: 3_000,
      drained: true,
      toPostedMs: { p50: 2_000, p99: 5_000 },
    }),
    step({
      kind: "batch",
      mix: "cash",
      batchSize: 100,
      offered: 6_000,
      acceptedRate: 6_000,
      postedRate: 4_200,
    }),
  ];

  it("puts each mix's posted rate against spread's at the same step", () => {
    expect(postedVsBaseline(run, run[1] as StepResult)).toBeCloseTo(0.95);
    expect(postedVsBaseline(run, run[3] as StepResult)).toBeCloseTo(0.75);
    expect(postedVsBaseline(run, run[4] as StepResult)).toBeCloseTo(1.05);
    expect(postedVsBaseline(run, run[0] as StepResult)).toBeUndefined(); // spread itself
    // Another rate, another batch size, or a spread row that posted nothing: nothing to compare with.
    expect(postedVsBaseline(run, step({ mix: "cash", offered: 2_000 }))).toBeUndefined();
    expect(postedVsBaseline(run, step({ kind: "batch", mix: "cash", batchSize: 50, offered: 6_000 }))).toBe(
      undefined,
    );
    expect(postedVsBaseline([step({ postedRate: 0 }), step({ mix: "cash" })], step({ mix: "cash" }))).toBe(
      undefined,
    );
  });

  // No single cash step ran, so no line says it was not sustained.
  it("compares the highest sustained rates of each mix with spread's", () => {
    expect(sustainedVsBaseline(run, "single", "hot-merchant")).toBeCloseTo(0.95);
    expect(sustainedVsBaseline(run, "batch", "hot-merchant")).toBeUndefined(); // none sustained
    expect(sustainedVsBaseline(run, "batch", "cash")).toBeCloseTo(1.05);
    expect(sustainedVsBaseline(run, "single", "spread")).toBeUndefined();
    const verdict = renderVerdict(run).split("\n");
    expect(verdict).toEqual([
      expect.stringMatching(/^single spread: highest sustained 1000 posted\/s .*per transaction$/),
      expect.stringMatching(/^single hot-merchant: highest sustained 950 posted\/s .*; 95% of spread's$/),
      expect.stringMatching(/^batch spread: highest sustained 4000 posted\/s/),
      "batch hot-merchant: no step was sustained (p99 accept→posted under 1 s with the ledger keeping up)",
      expect.stringMatching(/^batch cash: highest sustained 4200 posted\/s .*; 105% of spread's$/),
    ]);
  });

  it("shows the mix and the share in the table and bench.json, and nothing new with spread alone", () => {
    const table = renderTable(run).split("\n");
    expect(table[0]).toMatch(/^kind\s+mix\s+offered\/s\s+accepted\/s\s+posted\/s\s+vs spread\s+drain s/);
    expect(table[2]).toMatch(/^single\s+hot-merchant\s+1000\s+1000\s+950\s+95%\s/);
    expect(table[4]).toMatch(/^batch×100\s+hot-merchant\s+6000\s+6000\s+3000\s+75%\s/);
    const spreadOnly = renderTable([run[0] as StepResult]);
    expect(spreadOnly).not.toMatch(/mix|vs spread/);
    expect(spreadOnly.split("\n")[0]).toMatch(/^kind\s+offered\/s/);
    expect(renderVerdict([run[0] as StepResult])).toMatch(/^single: highest sustained 1000 posted\/s/);
    const json = jsonSteps(run);
    expect(json.map((s) => ("postedVsSpread" in s ? s.postedVsSpread : undefined))).toEqual([
      undefined,
      0.95,
      undefined,
      0.75,
      1.05,
    ]);
    // The charts draw the first mix's ladder only.
    expect(chartSeries(run).batchPosted).toEqual([null, 4_000]);
  });
});
