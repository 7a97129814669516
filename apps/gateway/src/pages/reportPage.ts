// GET /reports as a page: filters, the totals as a chart beside their table, the rows with cursor paging,
// and a CSV link for the same selection. Pure: a Report and the query in, an HTML document out.
import type { Report, ReportQuery } from "@ledgerline/contracts";
import { html, raw } from "hono/html";
import { STATUS_LABELS } from "../views.ts";
import { inlineJson } from "./inlineJson.ts";

/** The query string of a selection (empty values left out), optionally with a cursor. */
export const queryString = (query: Partial<Record<string, string | number | undefined>>): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
};

/** Form values as the user typed them (dates stay dates); the query is what was applied. */
export interface ReportForm {
  readonly status?: string;
  readonly currency?: string;
  readonly account_id?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: string;
}

const STATUS_COLORS: Record<string, string> = {
  Completed: "#1a7f37",
  Historical: "#8c959f",
  Rejected: "#cf222e",
  "Dead-lettered": "#bc4c00",
};

/** `nonce`: the response's CSP nonce, which lets the page's one inline script run. `statementLinks`: per row,
 *  the address of its account's statement page (null: none, such as a seeded row without a client). */
export const reportPage = (
  report: Report,
  query: ReportQuery,
  form: ReportForm,
  nonce = "",
  statementLinks: readonly (string | null)[] = [],
) => {
  const selection = {
    status: query.status,
    currency: query.currency,
    account_id: query.account_id,
    from: form.from,
    to: form.to,
    limit: form.limit,
  };
  const currencies = [...new Set(report.totals.map((t) => t.currency))].sort();
  const statuses = [...new Set(report.totals.map((t) => t.status))];
  const chart = {
    labels: currencies,
    datasets: statuses.map((status) => ({
      label: status,
      backgroundColor: STATUS_COLORS[status] ?? "#57606a",
      data: currencies.map(
        (c) => report.totals.find((t) => t.status === status && t.currency === c)?.count ?? 0,
      ),
    })),
  };
  const filtered = Object.values(selection).some((v) => v !== undefined && v !== "");
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ledgerline report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}.sub{color:#59636e}
form{display:flex;flex-wrap:wrap;gap:10px;align-items:end;padding:12px;background:#f6f8fa;border:1px solid #d1d9e0;border-radius:6px}
label{display:flex;flex-direction:column;font-size:12px;color:#59636e;gap:3px}
input,select{font:inherit;padding:4px 6px;border:1px solid #d1d9e0;border-radius:4px}
button,a.button{font:inherit;padding:5px 12px;border-radius:4px;border:1px solid #1f883d;background:#1f883d;color:#fff;text-decoration:none;cursor:pointer}
a.button.secondary{background:#fff;color:#1f2328;border-color:#d1d9e0}
.totals{display:grid;grid-template-columns:minmax(300px,1fr) minmax(300px,1fr);gap:24px;align-items:start}
.chart{position:relative;height:280px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d1d9e0;padding:5px 8px;text-align:left}
th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.Completed{color:#1a7f37}.Historical{color:#59636e}.Rejected{color:#cf222e}.Dead-lettered{color:#bc4c00}
nav{margin:12px 0;display:flex;gap:10px}
</style></head>
<body>
<h1>Transactions report</h1>
<p class="sub">Generated ${report.generated_at}${filtered ? " for the selection below" : ""}: totals over every matching row, the newest ${report.rows.length} listed.</p>
<form method="get" action="/reports" id="filters">
  <label>Status<select name="status"><option value="">any</option>${Object.entries(STATUS_LABELS).map(
    ([value, label]) =>
      html`<option value="${value}"${raw(query.status === value ? " selected" : "")}>${label}</option>`,
  )}</select></label>
  <label>Currency<input name="currency" value="${query.currency ?? ""}" placeholder="USD" size="5" maxlength="3"></label>
  <label>Account<input name="account_id" value="${query.account_id ?? ""}" placeholder="ACC-1234" size="14"></label>
  <label>Occurred from<input type="date" name="from" value="${form.from ?? ""}"></label>
  <label>to (inclusive)<input type="date" name="to" value="${form.to ?? ""}"></label>
  <label>Rows<input type="number" name="limit" value="${form.limit ?? ""}" placeholder="100" min="1" max="1000" size="5"></label>
  <button type="submit">Apply</button>
  <a class="button secondary" href="/reports">Clear</a>
  <a class="button secondary" id="csv" href="/reports.csv${queryString({ ...selection, limit: undefined })}" download>Download CSV</a>
</form>
<h2>Totals by status and currency</h2>
<div class="totals">
  <div class="chart"><canvas id="totals-chart" aria-label="transactions by currency and status"></canvas></div>
  <table id="totals"><thead><tr><th>Status</th><th>Currency</th><th>Count</th><th>Amount</th></tr></thead><tbody>
  ${report.totals.map((t) => html`<tr><td class="${t.status}">${t.status}</td><td>${t.currency}</td><td class="n">${t.count}</td><td class="n">${t.amount}</td></tr>`)}
  </tbody></table>
</div>
<h2>Transactions</h2>
<table id="rows"><thead><tr><th>Transaction</th><th>Account</th><th>Amount</th><th>Currency</th><th>Merchant</th><th>Status</th><th>Occurred</th></tr></thead><tbody>
${report.rows.map((r, i) => html`<tr><td><code>${r.transaction_id}</code></td><td>${statementLinks[i] ? html`<a href="${statementLinks[i]}" title="statement">${r.account_id}</a>` : r.account_id}</td><td class="n">${r.amount}</td><td>${r.currency}</td><td>${r.merchant_name ?? ""}</td><td class="${r.status}">${r.status}</td><td>${r.occurred_at ?? ""}</td></tr>`)}
</tbody></table>
<nav>${query.cursor ? html`<a class="button secondary" href="/reports${queryString(selection)}">↑ Newest</a>` : ""}${
    report.next_cursor
      ? html`<a class="button secondary" id="next" href="/reports${queryString({ ...selection, cursor: report.next_cursor })}">Older →</a>`
      : ""
  }</nav>
<script src="/assets/chart.umd.min.js"></script>
<script nonce="${nonce}">
const data = ${raw(inlineJson(chart))};
new Chart(document.getElementById("totals-chart"), {
  type: "bar",
  data,
  options: { maintainAspectRatio: false, animation: false, plugins: { title: { display: true, text: "Transactions by currency and status" } },
    scales: { y: { beginAtZero: true, title: { display: true, text: "count" } } } },
});
document.body.dataset.chart = "rendered";
</script>
</body></html>`;
};
