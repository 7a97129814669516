// The run's outcome for people and machines: a terminal table (each invariant, pass or fail, with its
// counts), the figures, a JSON file, and a self-contained HTML timeline of throughput, latency and the
// injected faults (uPlot, inlined from node_modules: no request leaves the page).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { uplotAssets } from "@ledgerline/testkit";
import { anomalySummary } from "./checker.ts";
import type { Accept } from "./clients.ts";
import type { LedgerTiming } from "./collect.ts";
import type { Invariant } from "./observations.ts";
import { KINDS, LIMITED_INTENTS, REFUND_INTENTS } from "./traffic.ts";
import type { PauseReport } from "./zombie.ts";

export interface InjectedFault {
  readonly kind: string;
  readonly target?: string;
  /** ms since the run's start; `untilMs` for an outage with an end. */
  readonly atMs: number;
  readonly untilMs?: number;
}

export interface RunFigures {
  readonly seed: number;
  readonly profile: string;
  readonly instances: number;
  readonly brokers: number;
  readonly durationMs: number;
  readonly accepted: number;
  readonly ledger: Readonly<Record<string, number>>;
  /** Accepted transactions per API client. */
  readonly clients: Readonly<Record<string, number>>;
  /** Per kind: accepted, and the ledger's outcomes (posted, rejected...). */
  readonly byKind: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Rejection reasons of the accepted transactions, counted. */
  readonly refusals: Readonly<Record<string, number>>;
  /** Refunds per what they tried (clients.ts REFUND_INTENTS): the ledger's outcomes. */
  readonly refundIntents: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The limited accounts' traffic per what it was sent to do (clients.ts LIMITED_INTENTS): outcomes. */
  readonly limitedIntents: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Refunds not sent: their original never got a 202. */
  readonly skippedRefunds: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly restarts: Readonly<Record<string, number>>;
  readonly clientRetries: number;
  readonly resent: number;
  readonly abandoned: number;
  readonly longestUnavailableMs: number;
  readonly acceptLatencyMs: { readonly p50: number; readonly p99: number };
  readonly acceptToPostedMs: { readonly p50: number; readonly p99: number };
  /** Accept→posted of the transactions accepted while a network fault was on. */
  readonly acceptToPostedUnderNetworkFaultsMs: {
    readonly count: number;
    readonly p50: number;
    readonly p99: number;
  };
  /** Each pause, and what the woken instance tried. */
  readonly pauses: readonly PauseReport[];
  readonly drainMs: number;
}

/** Known names first, in their list's order; any other after them, alphabetically. */
const inOrder =
  (order: readonly string[]) =>
  (a: string, b: string): number =>
    (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1) ||
    a.localeCompare(b);

export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

/** Accept→posted (ms) of the transactions accepted inside one of the windows (ms since the run's start). */
export const windowed = (
  timings: readonly LedgerTiming[],
  windows: readonly InjectedFault[],
  startEpochMs: number,
): number[] =>
  timings.flatMap((t) => {
    if (t.acceptedAt === null || t.postedAt === null) return [];
    const at = t.acceptedAt - startEpochMs;
    return windows.some((w) => at >= w.atMs && at <= (w.untilMs ?? w.atMs))
      ? [t.postedAt - t.acceptedAt]
      : [];
  });

/** The longest time without any 202 while the load ran (a stage down, the broker restarting...). */
export const longestGap = (accepts: readonly Accept[], fromMs: number, toMs: number): number => {
  const times = accepts
    .map((a) => a.atMs)
    .filter((t) => t >= fromMs && t <= toMs)
    .sort((a, b) => a - b);
  let longest = 0;
  let previous = fromMs;
  for (const t of [...times, toMs]) {
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return longest;
};

export const renderTable = (invariants: readonly Invariant[], figures: RunFigures): string => {
  const lines: string[] = [];
  const width = Math.max(...invariants.map((i) => i.name.length));
  lines.push(`${"invariant".padEnd(width)}  result  counts`);
  lines.push(`${"-".repeat(width)}  ------  ------`);
  for (const i of invariants) {
    const counts = Object.entries(i.counts)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    lines.push(`${i.name.padEnd(width)}  ${i.ok ? "pass  " : "FAIL  "}  ${counts}`);
  }
  const anomalies = anomalySummary(invariants);
  lines.push("");
  if (anomalies.length === 0) lines.push("anomalies: none");
  for (const a of anomalies) {
    lines.push(`anomaly ${a.kind}: ${a.count}`);
    for (const e of a.examples.slice(0, 5)) lines.push(`  ${e.id ? `${e.id}: ` : ""}${e.detail}`);
  }
  const f = figures;
  const kv = (o: Readonly<Record<string, number>>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none";
  lines.push("");
  lines.push(
    `seed ${f.seed}, profile ${f.profile}, ${f.brokers} broker(s), ${f.instances} instance(s) per stage, load ${Math.round(f.durationMs / 1000)} s`,
  );
  lines.push(`accepted ${f.accepted}; ledger: ${kv(f.ledger)}; by client: ${kv(f.clients)}`);
  const outcomes = (o: Readonly<Record<string, number>>) =>
    Object.entries(o)
      .filter(([k]) => k !== "accepted")
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  for (const kind of Object.keys(f.byKind).sort(inOrder(KINDS))) {
    const o = f.byKind[kind] ?? {};
    lines.push(`  ${kind.padEnd(8)} ${String(o.accepted ?? 0).padStart(6)} accepted: ${outcomes(o)}`);
  }
  const refusals = Object.entries(f.refusals).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  lines.push(`refusals: ${refusals.map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`);
  const intents = Object.keys(f.refundIntents)
    .sort(inOrder(REFUND_INTENTS))
    .map((intent) => `${intent} (${outcomes(f.refundIntents[intent] ?? {})})`)
    .join("; ");
  lines.push(`refunds by intent: ${intents || "none"}; not sent (original unanswered) ${f.skippedRefunds}`);
  const limited = Object.keys(f.limitedIntents)
    .sort(inOrder(LIMITED_INTENTS))
    .map((intent) => `${intent} (${outcomes(f.limitedIntents[intent] ?? {})})`)
    .join("; ");
  lines.push(`limited accounts by intent: ${limited || "none"}`);
  lines.push(`faults: ${kv(f.faults)}`);
  for (const p of f.pauses) {
    const woke = p.resumed ? `woke at ${(p.wokeMs / 1000).toFixed(1)} s` : "SIGKILLed while paused";
    lines.push(
      `pause ${p.target} at ${(p.atMs / 1000).toFixed(1)} s for ${((p.wokeMs - p.atMs) / 1000).toFixed(1)} s, ${woke}; then tried: ${kv(p.tried)}`,
    );
    for (const e of p.examples.slice(0, 2)) lines.push(`  ${e}`);
  }
  lines.push(`restarts (by the supervisor): ${kv(f.restarts)}`);
  lines.push(`client retries ${f.clientRetries}, resent after a 202 ${f.resent}, abandoned ${f.abandoned}`);
  lines.push(
    `longest unavailability ${(f.longestUnavailableMs / 1000).toFixed(1)} s; drained in ${(f.drainMs / 1000).toFixed(1)} s`,
  );
  lines.push(`accept latency p50 ${f.acceptLatencyMs.p50} ms, p99 ${f.acceptLatencyMs.p99} ms`);
  lines.push(`accept→posted p50 ${f.acceptToPostedMs.p50} ms, p99 ${f.acceptToPostedMs.p99} ms`);
  const n = f.acceptToPostedUnderNetworkFaultsMs;
  if (n.count > 0)
    lines.push(`accept→posted under network faults (${n.count} tx): p50 ${n.p50} ms, p99 ${n.p99} ms`);
  return lines.join("\n");
};

/** Per-second series: accepted/s, posted/s, accept p99 (ms), accept→posted p99 (ms) by acceptance second. */
export const timeline = (
  accepts: readonly Accept[],
  timings: readonly LedgerTiming[],
  startEpochMs: number,
  seconds: number,
) => {
  const at = Array.from({ length: seconds }, (_, s) => s);
  const accepted = at.map(() => 0);
  const posted = at.map(() => 0);
  const latency: number[][] = at.map(() => []);
  const toPosted: number[][] = at.map(() => []);
  for (const a of accepts) {
    const s = Math.floor(a.atMs / 1000);
    if (s >= 0 && s < seconds) {
      accepted[s] = (accepted[s] ?? 0) + 1;
      latency[s]?.push(a.latencyMs);
    }
  }
  for (const t of timings) {
    if (t.postedAt !== null) {
      const s = Math.floor((t.postedAt - startEpochMs) / 1000);
      if (s >= 0 && s < seconds) posted[s] = (posted[s] ?? 0) + 1;
    }
    if (t.postedAt !== null && t.acceptedAt !== null) {
      const s = Math.floor((t.acceptedAt - startEpochMs) / 1000);
      if (s >= 0 && s < seconds) toPosted[s]?.push(t.postedAt - t.acceptedAt);
    }
  }
  return {
    at,
    accepted,
    posted,
    acceptP99: latency.map((l) => (l.length ? percentile(l, 99) : null)),
    toPostedP99: toPosted.map((l) => (l.length ? percentile(l, 99) : null)),
  };
};

export const writeReport = (
  outDir: string,
  data: {
    invariants: readonly Invariant[];
    figures: RunFigures;
    faults: readonly InjectedFault[];
    series: ReturnType<typeof timeline>;
  },
) => {
  const ok = data.invariants.every((i) => i.ok);
  writeFileSync(
    join(outDir, "chaos.json"),
    `${JSON.stringify({ ok, figures: data.figures, invariants: data.invariants, anomalies: anomalySummary(data.invariants), faults: data.faults, timeline: data.series }, null, 2)}\n`,
  );
  const { js, css } = uplotAssets();
  const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const rows = data.invariants
    .map(
      (i) =>
        `<tr class="${i.ok ? "pass" : "fail"}"><td>${escapeHtml(i.name)}</td><td>${i.ok ? "pass" : "FAIL"}</td><td>${escapeHtml(
          Object.entries(i.counts)
            .map(([k, v]) => `${k}=${v}`)
            .join(" "),
        )}</td></tr>`,
    )
    .join("\n");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ledgerline chaos run, seed ${data.figures.seed}</title>
<style>${css}
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2230;max-width:1100px}
h1{font-size:20px;margin:0 0 4px}.sub{color:#5b6275;margin-bottom:16px}
table{border-collapse:collapse;margin:12px 0}td,th{padding:4px 10px;border-bottom:1px solid #e3e6ee;text-align:left}
tr.pass td:nth-child(2){color:#1a7f37;font-weight:600}tr.fail td:nth-child(2){color:#c62828;font-weight:700}
.verdict{display:inline-block;padding:4px 10px;border-radius:4px;color:#fff;background:${ok ? "#1a7f37" : "#c62828"}}
.legend span{margin-right:14px}</style></head><body>
<h1>ledgerline chaos run <span class="verdict">${ok ? "every invariant holds" : "anomalies found"}</span></h1>
<div class="sub">seed ${data.figures.seed} · profile ${escapeHtml(data.figures.profile)} · ${data.figures.instances} instance(s) per stage · ${data.figures.accepted} accepted · faults: ${escapeHtml(
    Object.entries(data.figures.faults)
      .map(([k, v]) => `${k} ${v}`)
      .join(", "),
  )}</div>
<div class="legend"><span style="color:#8e44ad">│ app SIGKILL</span><span style="color:#c62828">█ broker down</span><span style="color:#e67e22">█ Postgres restart</span><span style="color:#2c7be5">█ registry stopped</span></div>
<div id="throughput"></div><div id="latency"></div>
<table><thead><tr><th>invariant</th><th>result</th><th>counts</th></tr></thead><tbody>${rows}</tbody></table>
<pre>${escapeHtml(renderTable(data.invariants, data.figures))}</pre>
<script>${js}</script>
<script>
const series = ${JSON.stringify(data.series)};
const faults = ${JSON.stringify(data.faults)};
const colors = { KillApp: "#8e44ad", KillBroker: "#c62828", RestartPostgres: "#e67e22", StopRegistry: "#2c7be5" };
const labels = { KillBroker: "broker", RestartPostgres: "postgres", StopRegistry: "registry" };
const faultLines = {
  hooks: { draw: [u => {
    const ctx = u.ctx; ctx.save(); ctx.font = "11px sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
    for (const f of faults) {
      const x = u.valToPos(f.atMs / 1000, "x", true);
      const x2 = f.untilMs ? u.valToPos(f.untilMs / 1000, "x", true) : x;
      ctx.fillStyle = (colors[f.kind] || "#555") + "22";
      if (x2 > x) ctx.fillRect(x, u.bbox.top, x2 - x, u.bbox.height);
      // App kills are frequent: thin faint lines. Broker, Postgres and registry outages get a label.
      const isKill = f.kind === "KillApp";
      ctx.globalAlpha = isKill ? 0.35 : 1; ctx.lineWidth = isKill ? 1 : 2;
      ctx.strokeStyle = colors[f.kind] || "#555"; ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      ctx.globalAlpha = 1;
      if (!isKill) { ctx.fillStyle = colors[f.kind] || "#555"; ctx.fillText(labels[f.kind] || f.kind, x + 3, u.bbox.top + 12); }
    }
    ctx.restore();
  }] },
};
const width = Math.min(1100, window.innerWidth - 48);
new uPlot({ title: "transactions per second (faults as lines; outages shaded)", width, height: 280, plugins: [faultLines],
  scales: { x: { time: false } }, axes: [{ label: "seconds into the run" }, { label: "tx/s" }],
  series: [{}, { label: "accepted (202)", stroke: "#2c7be5" }, { label: "posted", stroke: "#1a7f37" }] },
  [series.at, series.accepted, series.posted], document.getElementById("throughput"));
new uPlot({ title: "latency p99 (ms)", width, height: 240, plugins: [faultLines],
  scales: { x: { time: false } }, axes: [{ label: "seconds into the run" }, { label: "ms" }],
  series: [{}, { label: "accept (client)", stroke: "#8e44ad" }, { label: "accept → posted (by second accepted)", stroke: "#e67e22" }] },
  [series.at, series.acceptP99, series.toPostedP99], document.getElementById("latency"));
</script></body></html>`;
  writeFileSync(join(outDir, "chaos.html"), html);
};
