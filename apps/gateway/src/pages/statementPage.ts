// An account's statement as a page (GET /accounts/{account_id}/statement, which /reports links each row's
// account to): the postings newest first with their balance after, and a link to the older page. Pure: the
// statement and its query in, an HTML document out (every value escaped by hono's html).
import type { Statement, StatementQuery } from "@ledgerline/contracts";
import { html } from "hono/html";
import { queryString } from "./reportPage.ts";

/** The page's address for an account (the report's link). */
export const statementHref = (clientId: string, accountId: string, currency?: string): string =>
  `/accounts/${encodeURIComponent(accountId)}/statement${queryString({ client_id: clientId, currency })}`;

export const statementPage = (statement: Statement, query: StatementQuery) => {
  const base = `/accounts/${encodeURIComponent(statement.account_id)}/statement`;
  const selection = {
    client_id: statement.client_id,
    currency: statement.currency,
    from: query.from,
    to: query.to,
    limit: query.limit === 50 ? undefined : query.limit,
  };
  const api = `/v1/accounts/${encodeURIComponent(statement.account_id)}/statement`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ledgerline statement ${statement.account_id}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}.sub{color:#59636e}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d1d9e0;padding:5px 8px;text-align:left}
th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.debit{color:#cf222e}
a.button{padding:5px 12px;border-radius:4px;border:1px solid #d1d9e0;color:#1f2328;text-decoration:none}
nav{margin:12px 0;display:flex;gap:10px}
</style></head>
<body>
<h1>Statement of ${statement.account_id} (${statement.currency})</h1>
<p class="sub">Client ${statement.client_id}, ledger account <code>${statement.ledger_account}</code>: postings newest first. <a href="/reports">Report</a> · <a href="${api}${queryString({ ...selection, cursor: query.cursor })}">JSON</a></p>
<table id="postings"><thead><tr><th>Posted</th><th>#</th><th>Transaction</th><th>Kind</th><th>Amount</th><th>Balance after</th></tr></thead><tbody>
${statement.items.map(
  (item) =>
    html`<tr><td>${item.posted_at}</td><td class="n">${item.seq}</td><td><code>${item.transaction_id}</code></td><td>${item.type ?? ""}</td><td class="n${item.amount.startsWith("-") ? " debit" : ""}">${item.amount}</td><td class="n">${item.balance_after}</td></tr>`,
)}
</tbody></table>
${statement.items.length === 0 ? html`<p class="sub">No postings${query.from || query.to ? " in this period" : ""}.</p>` : ""}
<nav>${query.cursor ? html`<a class="button" href="${base}${queryString(selection)}">↑ Newest</a>` : ""}${
    statement.next_cursor
      ? html`<a class="button" id="next" href="${base}${queryString({ ...selection, cursor: statement.next_cursor })}">Older →</a>`
      : ""
  }</nav>
</body></html>`;
};
