// GET /reports: seed 002's report — transactions with their status plus totals; JSON or HTML.

import type { OpenAPIHono } from "@hono/zod-openapi";
import { Problem, Report } from "@ledgerline/contracts";
import { Effect } from "effect";
import { html, raw } from "hono/html";
import { z } from "zod";
import type { GatewayServices } from "../services/index.ts";
import { decimalText, STATUS_LABELS, toReportRow } from "../views.ts";

const ReportQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

export const reportRoutes = (app: OpenAPIHono, services: GatewayServices): void => {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/reports",
    summary:
      "Report: recent transactions with status (Historical / Completed / Rejected / Dead-lettered) and totals",
    description: "JSON by default; an HTML page when the client sends Accept: text/html.",
    tags: ["query"],
    request: { query: ReportQuery },
    responses: {
      200: {
        description: "The report",
        content: { "application/json": { schema: Report }, "text/html": { schema: z.string() } },
      },
      503: {
        description: "Ledger unavailable",
        content: { "application/problem+json": { schema: Problem } },
      },
    },
  });

  app.get("/reports", async (c) => {
    const { limit } = ReportQuery.parse({ limit: c.req.query("limit") ?? undefined });
    const { rows, totals } = await Effect.runPromise(services.ledger.report(limit));
    const report: Report = {
      generated_at: new Date().toISOString(),
      rows: rows.map(toReportRow),
      totals: totals.map((t) => ({
        status: STATUS_LABELS[t.status],
        currency: t.currency,
        count: t.count,
        amount: decimalText(t.amount_minor, t.currency),
      })),
    };
    const accept = c.req.header("accept") ?? "";
    if (!/text\/html/i.test(accept) || /application\/json/i.test(accept.split(",")[0] ?? ""))
      return c.json(report);
    return c.html(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ledgerline report</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;margin-bottom:2rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.Completed{color:#070}.Historical{color:#555}.Rejected,.Dead-lettered{color:#a00}</style></head>
<body><h1>Transactions report</h1><p>Generated ${report.generated_at}; newest ${report.rows.length} shown.</p>
<h2>Totals by status and currency</h2>
<table><tr><th>Status</th><th>Currency</th><th>Count</th><th>Amount</th></tr>
${report.totals.map((t) => html`<tr><td class="${t.status}">${t.status}</td><td>${t.currency}</td><td class="n">${t.count}</td><td class="n">${t.amount}</td></tr>`)}
</table>
<h2>Transactions</h2>
<table><tr><th>Transaction</th><th>Account</th><th>Amount</th><th>Currency</th><th>Merchant</th><th>Status</th><th>Occurred</th></tr>
${report.rows.map((r) => html`<tr><td><code>${r.transaction_id}</code></td><td>${r.account_id}</td><td class="n">${r.amount}</td><td>${r.currency}</td><td>${r.merchant_name ?? ""}</td><td class="${r.status}">${r.status}</td><td>${r.occurred_at ?? ""}</td></tr>`)}
</table>${raw("")}</body></html>`);
  });
};
