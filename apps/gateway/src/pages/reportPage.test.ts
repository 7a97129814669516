import type { Report } from "@ledgerline/contracts";
import { describe, expect, it } from "vitest";
import { queryString, reportPage } from "./reportPage.ts";
import { statementHref, statementPage } from "./statementPage.ts";

const report: Report = {
  generated_at: "2026-11-29T00:00:00.000Z",
  rows: [
    {
      transaction_id: "8d0f7a4e-2a55-4a39-9f4b-6b3f5a8e2c11",
      account_id: "<script>alert(1)</script>",
      amount: "12.50",
      currency: "EUR",
      merchant_name: "Tom & Jerry's",
      status: "Completed",
      occurred_at: null,
    },
  ],
  totals: [{ status: "Completed", currency: "EUR", count: 1, amount: "12.50" }],
  next_cursor: "abc",
};

describe("report page", () => {
  it("leaves empty filters out of a query string", () => {
    expect(queryString({ status: "Completed", currency: undefined, account_id: "" })).toBe(
      "?status=Completed",
    );
    expect(queryString({})).toBe("");
  });

  it("escapes row values and the & of its links", async () => {
    const page = String(
      await reportPage(report, { status: "posted", currency: "EUR", limit: 100 }, { limit: "100" }),
    );
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;");
    expect(page).toContain("Tom &amp; Jerry&#39;s");
    expect(page).toContain('href="/reports.csv?status=posted&amp;currency=EUR"');
    expect(page).toContain('href="/reports?status=posted&amp;currency=EUR&amp;limit=100&amp;cursor=abc"');
  });
});

describe("report page statement links", () => {
  it("links a row's account to its statement page, escaped", async () => {
    const href = statementHref("acme", "<script>alert(1)</script>", "EUR");
    expect(href).toBe("/accounts/%3Cscript%3Ealert(1)%3C%2Fscript%3E/statement?client_id=acme&currency=EUR");
    const page = String(await reportPage(report, { limit: 100 }, {}, "", [href]));
    expect(page).toContain(
      '<a href="/accounts/%3Cscript%3Ealert(1)%3C%2Fscript%3E/statement?client_id=acme&amp;currency=EUR" title="statement">&lt;script&gt;',
    );
    // Without a link (a seeded row has no client), the account is plain text.
    expect(String(await reportPage(report, { limit: 100 }, {}))).not.toContain('title="statement"');
  });

  it("escapes the statement page's values", async () => {
    const page = String(
      await statementPage(
        {
          account_id: "A<b>",
          client_id: "acme",
          ledger_account: "customer:acme:A<b>",
          currency: "USD",
          items: [
            {
              transaction_id: "8d0f7a4e-2a55-4a39-9f4b-6b3f5a8e2c11",
              type: "debit",
              posted_at: "2026-11-29T00:00:00.000Z",
              amount: "-1.00",
              amount_minor: "-100",
              balance_after: "-1.00",
              balance_after_minor: "-100",
              seq: 1,
            },
          ],
          next_cursor: "c&d",
        },
        { limit: 50, client_id: "acme" },
      ),
    );
    expect(page).not.toContain("A<b>");
    expect(page).toContain("Statement of A&lt;b&gt; (USD)");
    expect(page).toContain('class="n debit">-1.00');
    expect(page).toContain(
      'href="/accounts/A%3Cb%3E/statement?client_id=acme&amp;currency=USD&amp;cursor=c%26d"',
    );
  });
});
