// GET /console: one self-contained page that reads GET /console/data every 2 s and draws it. Chart.js
// comes from /assets (our own pinned dependency); nothing is loaded from outside the host.
export const CONSOLE_REFRESH_MS = 2_000;

/** `nonce`: the response's CSP nonce, which lets the page's inline script run. */
export const consolePage = (nonce: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ledgerline console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}
body{font:14px system-ui,sans-serif;margin:20px 24px;color:#1f2328;max-width:1280px}
header{display:flex;align-items:center;gap:12px;margin-bottom:14px}h1{font-size:22px;margin:0}
.badge{display:inline-block;padding:2px 9px;border-radius:12px;color:#fff;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.ready,.flowing,.ok{background:var(--ok)}.starting,.retrying,.degraded{background:var(--warn)}.down,.breached{background:var(--bad)}.not_measured{background:var(--muted)}
.muted{color:var(--muted)}#banner{display:none;padding:8px 12px;background:#ffebe9;border:1px solid var(--bad);border-radius:6px;margin-bottom:12px}
.stages{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:12px;margin-bottom:16px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px;background:#fff}
.card h2{font-size:15px;margin:0 0 8px;display:flex;justify-content:space-between;align-items:center}
.card .instance{font-size:12px;color:var(--muted);margin:3px 0;overflow-wrap:anywhere}
.card .detail{font-size:12px;color:var(--bad);margin-top:6px;overflow-wrap:anywhere}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:12px}
.panel{border:1px solid var(--line);border-radius:8px;padding:12px;background:#fff}
.panel h3{font-size:14px;margin:0 0 8px}.chart{position:relative;height:260px}
.figures{display:flex;gap:22px}.figure b{display:block;font-size:22px;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left}
th{background:var(--bg);font-weight:600}td.parts{font:12px ui-monospace,monospace;color:var(--muted)}.lagging{color:var(--bad);font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px}
</style></head>
<body>
<header><h1>ledgerline console</h1><span id="overall" class="badge">…</span><span id="updated" class="muted"></span></header>
<div id="banner"></div>
<section class="stages" id="stages"></section>
<div class="grid">
  <div class="panel" style="grid-column:1/-1"><h3>Objectives <span class="muted">(the alert rules' thresholds; an alert fires once a breach lasts)</span></h3>
    <table id="objectives"><thead><tr><th>Objective</th><th>Threshold</th><th>Now</th><th>State</th><th>Alert</th></tr></thead><tbody></tbody></table></div>
  <div class="panel" style="grid-column:1/-1"><h3>Throughput, records per second <span class="muted" id="window"></span></h3>
    <div class="chart"><canvas id="throughput" aria-label="throughput per stage"></canvas></div></div>
  <div class="panel"><h3>Accept → posted</h3><div class="figures" id="latency"></div></div>
  <div class="panel"><h3>Outbox</h3><div class="figures" id="outbox"></div></div>
  <div class="panel"><h3>Consumer lag</h3><table id="lag"><thead><tr><th>Stage</th><th>Topic</th><th>Lag</th><th>By partition</th></tr></thead><tbody></tbody></table></div>
  <div class="panel"><h3>Dead letters <span class="muted" id="dlq-total"></span></h3>
    <table id="dlq-reasons"><thead><tr><th>Reason</th><th>Count</th></tr></thead><tbody></tbody></table>
    <h3 style="margin-top:10px">Newest</h3>
    <table id="dlq-newest"><thead><tr><th>Transaction</th><th>Reason</th><th>At</th></tr></thead><tbody></tbody></table></div>
  <div class="panel"><h3>Recent restarts</h3><table id="restarts"><thead><tr><th>Stage</th><th>Instance</th><th>pid</th><th>Seen</th></tr></thead><tbody></tbody></table></div>
</div>
<script src="/assets/chart.umd.min.js"></script>
<script nonce="${nonce}">
const COLORS = { "gateway": "#2c7be5", "processor": "#8250df", "ledger-sink": "#1a7f37", "outbox-relay": "#bc4c00" };
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "");
const seconds = (s) => (s === null || s === undefined ? "–" : s < 1 ? Math.round(s * 1000) + " ms" : s < 120 ? s.toFixed(1) + " s" : Math.round(s / 60) + " min");
const uptime = (iso) => { if (!iso) return ""; const s = (Date.now() - Date.parse(iso)) / 1000; return "up " + seconds(s); };
const rows = (id, html) => { document.querySelector("#" + id + " tbody").innerHTML = html || '<tr><td colspan="4" class="muted">none</td></tr>'; };
let chart;
function draw(data) {
  const p = data.pipeline;
  const overall = document.getElementById("overall");
  overall.textContent = p.status; overall.className = "badge " + p.status;
  document.getElementById("updated").textContent = "checked " + time(p.checked_at);
  document.getElementById("stages").innerHTML = p.stages.map((s) =>
    '<div class="card" data-stage="' + esc(s.stage) + '" data-state="' + esc(s.state) + '"><h2>' + esc(s.stage) +
    ' <span class="badge ' + esc(s.state) + '">' + esc(s.state) + '</span></h2>' +
    s.instances.map((i) => '<div class="instance">' + esc(i.url) + " · " + esc(i.state) + (i.pid ? " · pid " + i.pid : "") + (i.started_at ? " · " + uptime(i.started_at) : "") + "</div>").join("") +
    (s.lag ? '<div class="instance">lag ' + s.lag.total + "</div>" : "") +
    (s.detail ? '<div class="detail">' + esc(s.detail).slice(0, 300) + "</div>" : "") + "</div>").join("");
  rows("objectives", data.objectives.map((o) =>
    '<tr data-objective="' + esc(o.id) + '" data-subject="' + esc(o.subject ?? "") + '" data-state="' + esc(o.state) + '"><td>' + esc(o.name) +
    (o.subject ? ' <span class="muted">' + esc(o.subject) + "</span>" : "") + "</td><td>" + esc(o.threshold) + "</td><td" +
    (o.state === "not_measured" ? ' class="muted"' : "") + ">" + esc(o.value_text) + '</td><td><span class="badge ' + esc(o.state) + '">' +
    esc(o.state.replace("_", " ")) + "</span></td><td><code>" + esc(o.alert) + "</code></td></tr>").join(""));
  const series = data.throughput.series;
  const labels = (series[0]?.points ?? []).map((pt) => time(pt.at));
  const datasets = series.map((s) => ({ label: s.label, data: s.points.map((pt) => pt.per_second), borderColor: COLORS[s.stage], backgroundColor: COLORS[s.stage], pointRadius: 0, borderWidth: 2, tension: 0.2 }));
  if (!chart) {
    chart = new Chart(document.getElementById("throughput"), { type: "line", data: { labels, datasets },
      options: { animation: false, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: "records/s" } }, x: { ticks: { maxTicksLimit: 10 } } } } });
  } else { chart.data.labels = labels; chart.data.datasets.forEach((d, i) => { d.data = datasets[i].data; }); chart.update(); }
  document.body.dataset.chart = "rendered";
  document.getElementById("window").textContent = data.throughput.window_seconds ? "(last " + seconds(data.throughput.window_seconds) + ")" : "(collecting…)";
  const l = data.latency;
  document.getElementById("latency").innerHTML = '<div class="figure"><b id="p50">' + seconds(l.p50_seconds) + '</b>p50</div><div class="figure"><b id="p99">' + seconds(l.p99_seconds) + '</b>p99</div><div class="figure"><b>' + l.count + "</b>posted in the window</div>";
  const o = data.outbox;
  document.getElementById("outbox").innerHTML = o ? '<div class="figure"><b id="backlog">' + o.backlog + '</b>waiting</div><div class="figure"><b>' + seconds(o.oldest_unpublished_seconds) + '</b>oldest unpublished</div><div class="figure"><b>' + o.parked + "</b>parked</div>" : '<span class="muted">no ledger sink answered</span>';
  rows("lag", p.stages.flatMap((s) => {
    const byTopic = new Map();
    for (const pt of s.lag?.partitions ?? []) byTopic.set(pt.topic, [...(byTopic.get(pt.topic) ?? []), pt]);
    return [...byTopic].map(([topic, parts]) => {
      parts.sort((a, b) => a.partition - b.partition);
      const total = parts.reduce((n, pt) => n + pt.lag, 0);
      return "<tr><td>" + esc(s.stage) + "</td><td>" + esc(topic) + '</td><td class="n">' + total + '</td><td class="parts">' +
        parts.map((pt) => '<span title="partition ' + pt.partition + '"' + (pt.lag > 0 ? ' class="lagging"' : "") + ">" + pt.partition + ":" + pt.lag + "</span>").join(" ") + "</td></tr>";
    });
  }).join(""));
  const d = data.dead_letters;
  document.getElementById("dlq-total").textContent = d ? "(" + d.total + " in the ledger)" : "(ledger unavailable)";
  rows("dlq-reasons", (d?.by_reason ?? []).map((r) => "<tr><td>" + esc(r.reason) + '</td><td class="n">' + r.count + "</td></tr>").join(""));
  rows("dlq-newest", (d?.newest ?? []).map((r) => "<tr><td><code>" + esc(r.transaction_id) + "</code></td><td>" + esc(r.reason).slice(0, 120) + "</td><td>" + time(r.recorded_at) + "</td></tr>").join(""));
  rows("restarts", data.restarts.map((r) => "<tr><td>" + esc(r.stage) + "</td><td>" + esc(r.url) + '</td><td class="n">' + (r.pid ?? "") + "</td><td>" + time(r.observed_at) + "</td></tr>").join(""));
}
async function refresh() {
  const banner = document.getElementById("banner");
  try {
    const response = await fetch("/console/data", { cache: "no-store" });
    if (!response.ok) throw new Error("GET /console/data answered " + response.status);
    draw(await response.json());
    banner.style.display = "none";
  } catch (error) {
    banner.textContent = "The gateway did not answer: " + error.message + " (retrying)";
    banner.style.display = "block";
  } finally {
    setTimeout(refresh, ${CONSOLE_REFRESH_MS});
  }
}
refresh();
</script>
</body></html>
`;
