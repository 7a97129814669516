import type { Report } from "@ledgerline/contracts";
import { describe, expect, it } from "vitest";
import { queryString, reportPage } from "./reportPage.ts";

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
