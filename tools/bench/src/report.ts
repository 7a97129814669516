// bench.json for machines, and bench.html for people: rate against latency for single and batch POSTs
// (uPlot inlined from node_modules, so the file opens anywhere), with the table under it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { uplotAssets } from "@ledgerline/testkit";
import {
  BASELINE_MIX,
  comparesMixes,
  PROCESSES,
  percent,
  postedVsBaseline,
  renderVerdict,
  type StepResult,
  sustained,
  totalMicros,
} from "./ladder.ts";

export interface RunInfo {
  readonly startedAt: string;
  readonly machine: string;
  readonly profile: string;
  readonly seconds: number;
  readonly mixes: readonly string[];
}

/** bench.json's steps: each with its mix, and another mix's with its posted rate's share of spread's. */
export const jsonSteps = (results: readonly StepResult[]) =>
  results.map((r) => {
    const ratio = postedVsBaseline(results, r);
    return ratio === undefined ? r : { ...r, postedVsSpread: ratio };
  });

/**
 * x: every offered rate; one column per kind, null where that kind had no step at that rate. With several
 * mixes the chart shows the first mix's ladder (the tables have every mix).
 */
export const chartSeries = (all: readonly StepResult[]) => {
  const results = all.filter((r) => r.mix === all[0]?.mix);
  const offered = [...new Set(results.map((r) => r.offered))].sort((a, b) => a - b);
  const column = (kind: StepResult["kind"], pick: (r: StepResult) => number) =>
    offered.map((x) => {
      const r = results.find((s) => s.kind === kind && s.offered === x);
      return r ? pick(r) : null;
    });
  return {
    offered,
    singlePosted: column("single", (r) => Math.round(r.postedRate)),
    batchPosted: column("batch", (r) => Math.round(r.postedRate)),
    singleP99: column("single", (r) => Math.round(r.toPostedMs.p99)),
    batchP99: column("batch", (r) => Math.round(r.toPostedMs.p99)),
    singleP50: column("single", (r) => Math.round(r.toPostedMs.p50)),
    batchP50: column("batch", (r) => Math.round(r.toPostedMs.p50)),
  };
};

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

const cells = (tag: "th" | "td", values: readonly (string | number)[]) =>
  values.map((v) => `<${tag}>${escapeHtml(String(v))}</${tag}>`).join("");

const kindLabel = (r: StepResult) => (r.kind === "batch" ? `batch×${r.batchSize}` : "single");

/** Rates and latency in one table, CPU per transaction in another: each fits the page. */
const htmlTables = (results: readonly StepResult[]) => {
  const mixes = comparesMixes(results);
  const label = (r: StepResult) => [kindLabel(r), ...(mixes ? [r.mix] : [])];
  const rates = results.map(
    (r) =>
      `<tr class="${sustained(r) ? "ok" : "no"}">${cells("td", [
        ...label(r),
        r.offered.toFixed(0),
        r.acceptedRate.toFixed(0),
        r.postedRate.toFixed(0),
        ...(mixes ? [percent(postedVsBaseline(results, r))] : []),
        r.drained ? (r.drainMs / 1_000).toFixed(1) : `>${(r.drainMs / 1_000).toFixed(0)}`,
        `${r.acceptMs.p50.toFixed(1)} / ${r.acceptMs.p99.toFixed(1)}`,
        `${r.toPostedMs.p50.toFixed(0)} / ${r.toPostedMs.p99.toFixed(0)}`,
        sustained(r) ? "yes" : "no",
      ])}</tr>`,
  );
  const cpu = results.map(
    (r) =>
      `<tr>${cells("td", [
        ...label(r),
        r.offered.toFixed(0),
        ...PROCESSES.map((p) => (r.cpuMicros[p] ?? 0).toFixed(0)),
        totalMicros(r).toFixed(0),
        r.loadToolMicros.toFixed(0),
      ])}</tr>`,
  );
  return `<h2>Rates (transactions/s) and latency (ms)</h2>
<table><thead><tr>${cells("th", ["kind", ...(mixes ? ["mix"] : []), "offered", "accepted", "posted", ...(mixes ? [`vs ${BASELINE_MIX}`] : []), "drain s", "accept p50 / p99", "accept→posted p50 / p99", "sustained"])}</tr></thead><tbody>${rates.join("")}</tbody></table>
<h2>CPU µs per posted transaction</h2>
<table><thead><tr>${cells("th", ["kind", ...(mixes ? ["mix"] : []), "offered", ...PROCESSES, "total", "k6 (not in total)"])}</tr></thead><tbody>${cpu.join("")}</tbody></table>`;
};

export const writeReport = (outDir: string, info: RunInfo, results: readonly StepResult[]) => {
  writeFileSync(
    join(outDir, "bench.json"),
    `${JSON.stringify({ ...info, steps: jsonSteps(results) }, null, 2)}\n`,
  );
  const { js, css } = uplotAssets();
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ledgerline bench:e2e ${escapeHtml(info.startedAt)}</title>
<style>${css}
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2230;max-width:1180px}
h1{font-size:20px;margin:0 0 4px}.sub{color:#5b6275;margin-bottom:12px}
h2{font-size:15px;margin:18px 0 6px}.charts{display:flex;gap:16px;flex-wrap:wrap}
table{border-collapse:collapse}td,th{padding:3px 9px;border-bottom:1px solid #e3e6ee;text-align:right;font-variant-numeric:tabular-nums}
td:first-child,th:first-child{text-align:left}tr.no td:last-child{color:#c62828}tr.ok td:last-child{color:#1a7f37}
.verdict{margin-top:12px;white-space:pre-line;font-weight:600}</style></head><body>
<h1>ledgerline end to end: HTTP → Kafka → processor → ledger</h1>
<div class="sub">${escapeHtml(info.machine)} · everything co-located · k6 constant arrival rate, ${info.seconds} s per step, each step drained before the next${info.mixes.join() === BASELINE_MIX ? "" : ` · mixes ${escapeHtml(info.mixes.join(", "))} in turn (the charts: ${escapeHtml(info.mixes[0] ?? "")})`} · ${escapeHtml(info.startedAt)}</div>
<div class="charts"><div id="rate"></div><div id="latency"></div></div>
<div class="verdict">${escapeHtml(renderVerdict(results))}</div>
${htmlTables(results)}
<script>${js}</script>
<script>
const s = ${JSON.stringify(chartSeries(results))};
const axes = (y) => [{ label: "offered transactions/s" }, { label: y, size: 60 }];
const width = Math.min(570, (window.innerWidth - 64) / 2);
new uPlot({ title: "posted/s (each step until drained)", width, height: 300, legend: { live: false }, scales: { x: { time: false } }, axes: axes("posted/s"),
  series: [{}, { label: "single POSTs", stroke: "#2c7be5", width: 2, points: { size: 7 }, spanGaps: true },
    { label: "batch POSTs", stroke: "#1a7f37", width: 2, points: { size: 7 }, spanGaps: true }] },
  [s.offered, s.singlePosted, s.batchPosted], document.getElementById("rate"));
new uPlot({ title: "accept → posted (ms, log scale)", width, height: 300, legend: { live: false }, scales: { x: { time: false }, y: { distr: 3 } }, axes: axes("ms"),
  series: [{}, { label: "single p99", stroke: "#2c7be5", width: 2, points: { size: 7 }, spanGaps: true },
    { label: "batch p99", stroke: "#1a7f37", width: 2, points: { size: 7 }, spanGaps: true },
    { label: "single p50", stroke: "#2c7be5", dash: [4, 4], spanGaps: true },
    { label: "batch p50", stroke: "#1a7f37", dash: [4, 4], spanGaps: true }] },
  [s.offered, s.singleP99, s.batchP99, s.singleP50, s.batchP50], document.getElementById("latency"));
</script></body></html>`;
  writeFileSync(join(outDir, "bench.html"), html);
};
