// Query endpoints, /reports (JSON + HTML), /livez, /health, /ready, /openapi.json and /docs on the real stack.
import { randomUUID } from "node:crypto";
import { sql } from "@ledgerline/ledger-db";
import { testEnvironment } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { gatewayConfigFrom } from "../src/Config.ts";
import { startGateway } from "../src/layers.ts";
import { AUTH, type Harness, startHarness } from "./harness.ts";

type Page = {
  items: { transaction_id: string; status: string; amount: string; currency: string }[];
  next_cursor: string | null;
};

describe("query, reports, health, docs", () => {
  let h: Harness;
  const ids: string[] = [];
  beforeAll(async () => {
    // This file's report queries are many and quick: the per-client report limit must not shape them.
    h = await startHarness("gw-query", { reportRateLimitPerSecond: 1_000, reportRateLimitBurst: 1_000 });
    const rows = [
      ["ACC-1", 125075n, "USD", "historical", "historical", "2024-01-01T00:00:00Z"],
      ["ACC-1", 500n, "JPY", "historical", "historical", "2024-01-02T00:00:00Z"],
      ["ACC-2", 1234n, "BHD", "posted", "live", "2024-02-01T00:00:00Z"],
      ["ACC-2", 999n, "USD", "posted", "live", "2024-02-02T00:00:00Z"],
      ["ACC-3", 100n, "USD", "rejected", "live", "2024-03-01T00:00:00Z"],
    ] as const;
    for (const [account, minor, currency, status, source, occurred] of rows) {
      const id = randomUUID();
      ids.push(id);
      await h.db.pool.query(sql.unsafe`
        INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status, source,
                                  occurred_at, rejection_reasons)
        VALUES (${id}, ${account}, ${minor}, ${currency}, 'Shop', ${status}, ${source}, ${occurred}::timestamptz,
                ${status === "rejected" ? sql.jsonb([{ code: "RISK", message: "blocked" }]) : null})`);
    }
  });
  afterAll(() => h?.close());

  const get = async (path: string, headers: Record<string, string> = AUTH) =>
    h.app.request(path, { headers });

  it("lists with filters and walks pages with the cursor", async () => {
    const usd = (await (await get("/v1/transactions?currency=USD")).json()) as Page;
    expect(usd.items.map((i) => i.currency)).toEqual(["USD", "USD", "USD"]);
    const posted = (await (await get("/v1/transactions?status=posted&account_id=ACC-2")).json()) as Page;
    expect(posted.items).toHaveLength(2);
    const ranged = (await (
      await get("/v1/transactions?from=2024-01-02T00:00:00Z&to=2024-02-02T00:00:00Z")
    ).json()) as Page;
    expect(ranged.items).toHaveLength(2);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await get(`/v1/transactions?limit=2${cursor ? `&cursor=${cursor}` : ""}`)
      ).json()) as Page;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.transaction_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("shows a transaction's fate with exact amounts", async () => {
    const rejected = await get(`/v1/transactions/${ids[4]}`);
    expect(await rejected.json()).toMatchObject({
      status: "rejected",
      amount: "1.00",
      rejection_reasons: [{ code: "RISK" }],
    });
    expect(await (await get(`/v1/transactions/${ids[2]}`)).json()).toMatchObject({
      amount: "1.234",
      currency: "BHD",
    });
    expect((await get(`/v1/transactions/${ids[0]}`, {})).status).toBe(401);
  });

  it("reports Historical / Completed rows with totals, as JSON and as HTML", async () => {
    const report = (await (await get("/reports")).json()) as {
      rows: { status: string }[];
      totals: { status: string; currency: string; count: number; amount: string }[];
    };
    expect(report.rows.map((r) => r.status).sort()).toEqual([
      "Completed",
      "Completed",
      "Historical",
      "Historical",
      "Rejected",
    ]);
    expect(report.totals).toContainEqual({
      status: "Historical",
      currency: "USD",
      count: 1,
      amount: "1250.75",
    });
    expect(report.totals).toContainEqual({ status: "Completed", currency: "BHD", count: 1, amount: "1.234" });
    const html = await get("/reports", { ...AUTH, Accept: "text/html" });
    expect(html.headers.get("content-type")).toMatch(/text\/html/);
    const text = await html.text();
    expect(text).toContain("Historical");
    expect(text).toContain("1250.75");
    expect(text).toContain('<script src="/assets/chart.umd.min.js">');
    const chartJs = await get("/assets/chart.umd.min.js", {});
    expect(chartJs.status).toBe(200);
    expect((await chartJs.text()).length).toBeGreaterThan(100_000);
  });

  it("filters the report like GET /v1/transactions, totals the whole selection and pages by cursor", async () => {
    type R = {
      rows: { account_id: string; status: string }[];
      totals: { status: string; count: number }[];
      next_cursor: string | null;
    };
    const acc2 = (await (await get("/reports?account_id=ACC-2")).json()) as R;
    expect(acc2.rows.map((r) => r.account_id)).toEqual(["ACC-2", "ACC-2"]);
    expect(acc2.totals.map((t) => [t.status, t.count])).toEqual([
      ["Completed", 1],
      ["Completed", 1],
    ]);
    // The page's form sends dates, and empty fields for filters not used.
    const january = (await (
      await get("/reports?status=&currency=usd&from=2024-01-01&to=2024-01-31")
    ).json()) as R;
    expect(january.rows.map((r) => r.status)).toEqual(["Historical"]);
    // One row per page; the totals still cover all five rows.
    const first = (await (await get("/reports?limit=1")).json()) as R;
    expect(first.rows).toHaveLength(1);
    expect(first.totals.reduce((n, t) => n + t.count, 0)).toBe(5);
    const seen = [...first.rows];
    let cursor = first.next_cursor;
    while (cursor) {
      const page = (await (await get(`/reports?limit=1&cursor=${encodeURIComponent(cursor)}`)).json()) as R;
      seen.push(...page.rows);
      cursor = page.next_cursor;
    }
    expect(seen).toHaveLength(5);
    const bad = await get("/reports?currency=dollars&limit=0");
    expect(bad.status).toBe(422);
    const problem = (await bad.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(["currency", "limit"]);
  });

  it("downloads the selection as CSV, with formula-like text neutralised", async () => {
    const csv = await get("/reports.csv?account_id=ACC-1");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(
      /attachment; filename="ledgerline-transactions-.*\.csv"/,
    );
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toBe("transaction_id,account_id,amount,currency,merchant_name,status,occurred_at");
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",").slice(1, 4).join(","))
        .sort(),
    ).toEqual(["ACC-1,1250.75,USD", "ACC-1,500,JPY"]);
    const all = (await (await get("/reports.csv")).text()).trim().split("\n");
    expect(all).toHaveLength(6);
    await h.db.pool.query(sql.unsafe`
      INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status, source, occurred_at)
      VALUES (${randomUUID()}, 'ACC-9', 250, 'USD', '=HYPERLINK("http://x")', 'historical', 'historical', now())`);
    const risky = (await (await get("/reports.csv?account_id=ACC-9")).text()).trim().split("\n");
    expect(risky[1]).toContain(`ACC-9,2.50,USD,"'=HYPERLINK(""http://x"")",Historical`);
  });

  it("livez calls nothing; health and ready check Kafka, registry and Postgres", async () => {
    const livez = await get("/livez", {});
    expect(livez.status).toBe(200);
    expect(await livez.json()).toEqual({ status: "ok" });
    // Anyone sees each component's state; only an ops key (the development key has it) its error text.
    const health = await get("/health", {});
    expect(health.status).toBe(200);
    const body = (await health.json()) as { checked_at: string };
    expect(body).toMatchObject({
      status: "ok",
      components: {
        api: { status: "up" },
        kafka: { status: "up" },
        schema_registry: { status: "up" },
        database: { status: "up" },
      },
    });
    expect(Date.now() - Date.parse(body.checked_at)).toBeLessThan(10_000);
    const ready = await get("/ready", {});
    expect(await ready.json()).toEqual({ status: "ok", components: {} });
    expect(ready.status).toBe(200);
    const detailed = await get("/ready");
    expect(await detailed.json()).toEqual({
      status: "ok",
      components: { kafka: { status: "up" }, schema_registry: { status: "up" }, database: { status: "up" } },
    });
  });

  it("health and ready answer 503 naming the dependency that is down; livez stays 200", async () => {
    const broken = await startGateway(
      gatewayConfigFrom(h.gateway.services.settings, {
        bootstrapServers: testEnvironment().bootstrapServers,
        registryUrl: "http://127.0.0.1:9/apis/ccompat/v7", // nothing listens on the discard port
        databaseUrl: h.db.url,
      }),
    );
    try {
      const app = buildApp(broken.services);
      const started = performance.now();
      const ready = await app.request("/ready", { headers: AUTH });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: "degraded",
        components: {
          kafka: { status: "up" },
          schema_registry: { status: "down" },
          database: { status: "up" },
        },
      });
      expect(performance.now() - started).toBeLessThan(3_000);
      const health = await app.request("/health", {});
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        status: "degraded",
        components: {
          api: { status: "up" },
          kafka: { status: "up" },
          schema_registry: { status: "down" },
          database: { status: "up" },
        },
      });
      const detailed = (await (await app.request("/health", { headers: AUTH })).json()) as {
        components: { schema_registry: { detail?: string } };
      };
      expect(detailed.components.schema_registry.detail).toMatch(/registry/i);
      expect((await app.request("/livez", {})).status).toBe(200);
    } finally {
      await broken.dispose();
    }
  });

  it("serves the OpenAPI 3.1 document generated from the zod schemas, and Swagger UI", async () => {
    const doc = (await (await get("/openapi.json", {})).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/transactions",
        "/transaction",
        "/v1/transactions:batch",
        "/v1/transactions/{id}",
        "/reports",
        "/reports.csv",
        "/health",
        "/livez",
        "/ready",
      ]),
    );
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.schemas).toHaveProperty("Problem");
    expect(doc.components.schemas).toHaveProperty("TransactionRequest");
    expect(Object.keys(doc.paths)).toContain("/status");
    const docs = await get("/docs", {});
    expect(docs.status).toBe(200);
    const page = await docs.text();
    expect(page).toContain("swagger-ui");
    // Everything the page loads comes from this host: it renders without internet access.
    const loaded = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(loaded.length).toBeGreaterThan(2);
    for (const url of loaded) expect(url).toMatch(/^\/docs\/assets\//);
    for (const url of loaded) {
      const asset = await get(url, {});
      expect(asset.status, url).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, url).toBeGreaterThan(100);
    }
    expect((await get("/docs/assets/../../package.json", {})).status).toBe(404);
  });

  it("shows a transaction's kind, a refund's original and the refunded amount, and filters by kind", async () => {
    // Rows as the sink writes them for kinds (added last: the tests above count the first five rows).
    const payment = randomUUID();
    const refund = randomUUID();
    const transfer = randomUUID();
    await h.db.pool.query(sql.unsafe`
      INSERT INTO transactions (transaction_id, type, account_id, amount_minor, currency, merchant_name,
                                counterparty_account_id, original_transaction_id, refunded_minor, status, source,
                                client_id, occurred_at)
      VALUES (${payment}, 'payment', 'ACC-K', 10000, 'USD', 'Shop', NULL, NULL, 2500, 'posted', 'live', 'dev',
              '2024-04-01T00:00:00Z'),
             (${refund}, 'refund', 'ACC-K', 2500, 'USD', '', NULL, ${payment}, 0, 'posted', 'live', 'dev',
              '2024-04-02T00:00:00Z'),
             (${transfer}, 'transfer', 'ACC-K', 700, 'USD', '', 'ACC-L', NULL, 0, 'posted', 'live', 'dev',
              '2024-04-03T00:00:00Z')`);

    expect(await (await get(`/v1/transactions/${payment}`)).json()).toMatchObject({
      type: "payment",
      amount: "100.00",
      refunded_amount: "25.00",
      refunded_amount_minor: "2500",
      original_transaction_id: null,
      counterparty_account_id: null,
    });
    expect(await (await get(`/v1/transactions/${refund}`)).json()).toMatchObject({
      type: "refund",
      amount: "25.00",
      original_transaction_id: payment,
      refunded_amount: "0.00",
    });
    expect(await (await get(`/v1/transactions/${transfer}`)).json()).toMatchObject({
      type: "transfer",
      counterparty_account_id: "ACC-L",
    });
    // Rows from before kinds existed are payments with nothing refunded.
    expect(await (await get(`/v1/transactions/${ids[1]}`)).json()).toMatchObject({
      type: "payment",
      refunded_amount: "0",
      refunded_amount_minor: "0",
    });

    const refunds = (await (await get("/v1/transactions?type=refund")).json()) as Page;
    expect(refunds.items.map((i) => i.transaction_id)).toEqual([refund]);
    const payments = (await (await get("/v1/transactions?type=payment&account_id=ACC-K")).json()) as Page;
    expect(payments.items.map((i) => i.transaction_id)).toEqual([payment]);
    const report = (await (await get("/reports?type=transfer")).json()) as {
      rows: { transaction_id: string }[];
    };
    expect(report.rows.map((r) => r.transaction_id)).toEqual([transfer]);
    // The page links a row's account to its statement (a row with a client; the seeded rows have none).
    const page = await (await get("/reports?type=transfer", { ...AUTH, Accept: "text/html" })).text();
    expect(page).toContain(
      '<a href="/accounts/ACC-K/statement?client_id=dev&amp;currency=USD" title="statement">ACC-K</a>',
    );
    const bad = await get("/v1/transactions?type=wire");
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      "type",
    ]);
  });
});
