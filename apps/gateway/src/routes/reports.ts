// GET /reports (seed 002's report: transactions with their status plus totals, JSON or a page) and
// GET /reports.csv (the same selection as a file). Filters and paging are GET /v1/transactions' own.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Report, ReportQuery, TransactionListQuery } from "@ledgerline/contracts";
import { stringify } from "csv-stringify/sync";
import { Effect } from "effect";
import { z } from "zod";
import type { Authenticator } from "../auth.ts";
import { invalidFields } from "../errors.ts";
import { zodFieldErrors } from "../ingest/toRequested.ts";
import { type ReportForm, reportPage } from "../pages/reportPage.ts";
import { statementHref } from "../pages/statementPage.ts";
import { rateLimit, TokenBuckets } from "../rateLimit.ts";
import { securePage } from "../securePage.ts";
import type { GatewayServices } from "../services/index.ts";
import { decimalText, STATUS_LABELS, toReportRow } from "../views.ts";
import { filtersOf } from "./listFilters.ts";
import { problem } from "./problem.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();

/** The page's form sends dates (YYYY-MM-DD) and empty fields; the API takes RFC 3339 and absent fields.
 *  `to` as a date includes that whole day (UTC). Pure. */
export const reportQueryInput = (raw: Record<string, string>): Record<string, string> => {
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (value !== "") input[key] = value.trim();
  if (input.currency) input.currency = input.currency.toUpperCase();
  if (input.from && DAY.test(input.from)) input.from = `${input.from}T00:00:00Z`;
  if (input.to && DAY.test(input.to) && !Number.isNaN(Date.parse(`${input.to}T00:00:00Z`)))
    input.to = nextDay(input.to);
  return input;
};

const parse = (raw: Record<string, string>, schema: typeof ReportQuery) => {
  const parsed = schema.safeParse(reportQueryInput(raw));
  if (!parsed.success) throw invalidFields(zodFieldErrors(parsed.error));
  return parsed.data;
};

/** A spreadsheet runs a cell that starts with one of these as a formula: neutralise text fields. */
const FORMULA = /^[=+\-@\t\r]/;
const textCell = (value: string | null) => (value && FORMULA.test(value) ? `'${value}` : (value ?? ""));
const CSV_COLUMNS = [
  "transaction_id",
  "account_id",
  "amount",
  "currency",
  "merchant_name",
  "status",
  "occurred_at",
];
const CSV_PAGE = 1000;

const opsResponses = {
  401: problem("Missing or unknown API key (a browser is asked for it: any user name, the key as password)"),
  403: problem("The API key lacks the ops scope"),
  429: problem("Too many report queries (Retry-After)"),
};

export const reportRoutes = (app: OpenAPIHono, services: GatewayServices, access: Authenticator): void => {
  const { settings } = services;
  // Every client's rows and a GROUP BY over the selection: ops only, and few per second.
  const ops = access.require(["ops"], { browser: true });
  const limited = rateLimit(
    new TokenBuckets(settings.reportRateLimitPerSecond, settings.reportRateLimitBurst),
  );
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/reports",
    summary:
      "Report: transactions with status (Historical / Completed / Rejected / Dead-lettered) and totals, filtered and paged",
    description:
      "JSON by default; an HTML page with a chart when the client sends Accept: text/html. The filters and the cursor are those of GET /v1/transactions; the totals cover every row the filters select.",
    tags: ["ops"],
    security: [{ bearerAuth: [] }, { basicAuth: [] }],
    request: { query: ReportQuery },
    responses: {
      ...opsResponses,
      200: {
        description: "The report",
        content: { "application/json": { schema: Report }, "text/html": { schema: z.string() } },
      },
      422: problem("Invalid filters"),
      503: problem("Ledger unavailable"),
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/reports.csv",
    summary: "Every transaction the filters select, as CSV (newest first)",
    tags: ["ops"],
    security: [{ bearerAuth: [] }, { basicAuth: [] }],
    request: { query: TransactionListQuery.omit({ limit: true, cursor: true }) },
    responses: {
      ...opsResponses,
      200: { description: "CSV with a header row", content: { "text/csv": { schema: z.string() } } },
      422: problem("Invalid filters"),
      503: problem("Ledger unavailable"),
    },
  });

  app.get("/reports", securePage, ops, limited, async (c) => {
    const raw = c.req.query();
    const query = parse(raw, ReportQuery);
    const filters = filtersOf(query);
    const [page, totals] = await Effect.runPromise(
      Effect.all(
        [services.ledger.list(filters, query.limit, query.cursor), services.ledger.totals(filters)],
        {
          concurrency: 2,
        },
      ),
    );
    const report: Report = {
      generated_at: new Date().toISOString(),
      rows: page.rows.map(toReportRow),
      totals: totals.map((t) => ({
        status: STATUS_LABELS[t.status],
        currency: t.currency,
        count: t.count,
        amount: decimalText(t.amount_minor, t.currency),
      })),
      next_cursor: page.nextCursor,
    };
    const accept = c.req.header("accept") ?? "";
    if (!/text\/html/i.test(accept) || /application\/json/i.test(accept.split(",")[0] ?? ""))
      return c.json(report);
    const form: ReportForm = { from: raw.from, to: raw.to, limit: raw.limit };
    // Each row's account links to its statement page (in the row's currency).
    const statements = page.rows.map((row) =>
      row.client_id && row.account_id
        ? statementHref(row.client_id, row.account_id, row.currency ?? undefined)
        : null,
    );
    return c.html(reportPage(report, query, form, c.get("secureHeadersNonce"), statements));
  });

  app.get("/reports.csv", ops, limited, async (c) => {
    const query = parse(c.req.query(), ReportQuery);
    const filters = filtersOf(query);
    // The first page is read before answering, so a database outage is a 503, not a broken download.
    const first = await Effect.runPromise(services.ledger.list(filters, CSV_PAGE, undefined));
    const encoder = new TextEncoder();
    const lines = (rows: typeof first.rows, header: boolean) =>
      encoder.encode(
        stringify(
          rows
            .map(toReportRow)
            .map((r) => [
              r.transaction_id,
              textCell(r.account_id),
              r.amount,
              r.currency,
              textCell(r.merchant_name),
              r.status,
              r.occurred_at ?? "",
            ]),
          { header, columns: CSV_COLUMNS },
        ),
      );
    async function* pages() {
      yield lines(first.rows, true);
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await Effect.runPromise(services.ledger.list(filters, CSV_PAGE, cursor));
        yield lines(page.rows, false);
        cursor = page.nextCursor;
      }
    }
    const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, "");
    return c.body(ReadableStream.from(pages()), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="ledgerline-transactions-${stamp}Z.csv"`,
    });
  });
};
