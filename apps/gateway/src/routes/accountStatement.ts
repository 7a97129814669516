// /v1/accounts/{account_id}/statement: an account's postings in one currency, and the same statement as
// a page for a browser, which /reports links each account to.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { AccountParams, Statement, StatementQuery } from "@ledgerline/contracts";
import { customerAccount } from "@ledgerline/domain";
import { Effect } from "effect";
import type { Context } from "hono";
import type { AuthVariables } from "../auth.ts";
import { invalidFields } from "../errors.ts";
import { statementPage } from "../pages/statementPage.ts";
import { securePage } from "../securePage.ts";
import type { GatewayServices } from "../services/index.ts";
import { toStatementEntry } from "../views.ts";
import { type AccountRouteContext, dataOf, owningClient } from "./accountAccess.ts";
import { problem } from "./problem.ts";

export const statementRoutes = (
  app: OpenAPIHono,
  services: GatewayServices,
  { read, ops, limited, pageLimited, paramsOf, accountRows }: AccountRouteContext,
): void => {
  /** A statement page's data, for the JSON endpoint and the HTML page alike. */
  const statementOf = async (c: Context<{ Variables: AuthVariables }>) => {
    const [{ account_id: accountId }, q] = dataOf(paramsOf(c), StatementQuery.safeParse(c.req.query()));
    const clientId = owningClient(c.get("principal"), q.client_id, "sees");
    const ledgerAccount = customerAccount(clientId, accountId);
    const rows = await accountRows(ledgerAccount, accountId);
    let currency = q.currency;
    if (currency === undefined) {
      // The currencies it was posted in (a row only a limit made has no statement), else any it has.
      const posted = rows.filter((r) => r.last_seq > 0n);
      const held = (posted.length > 0 ? posted : rows).map((r) => r.currency);
      if (held.length !== 1) {
        throw invalidFields([
          {
            field: "currency",
            code: "REQUIRED",
            message: `account ${accountId} holds ${held.join(", ")}: name one with currency`,
          },
        ]);
      }
      currency = held[0]!;
    }
    const page = await Effect.runPromise(
      services.ledger.statement(
        {
          ledgerAccount,
          currency,
          limit: q.limit,
          ...(q.from === undefined ? {} : { from: q.from }),
          ...(q.to === undefined ? {} : { to: q.to }),
        },
        q.cursor,
      ),
    );
    const statement: Statement = {
      account_id: accountId,
      client_id: clientId,
      ledger_account: ledgerAccount,
      currency,
      items: page.rows.map((row) => toStatementEntry(row, currency)),
      next_cursor: page.nextCursor,
    };
    return { statement, query: q };
  };

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/accounts/{account_id}/statement",
    summary: "A customer account's postings in one currency, newest first, with cursor paging",
    description:
      "Each posting with its transaction and kind, the signed amount (credits positive, debits negative) and the balance right after it, ordered by (posted_at, seq) descending. `currency` may be left out when the account holds one currency. `from`/`to` bound posted_at, both inclusive. Who may read it is as for GET /v1/accounts/{account_id}.",
    tags: ["query"],
    security: [{ bearerAuth: [] }],
    request: { params: AccountParams, query: StatementQuery },
    responses: {
      200: {
        description: "A page of the statement",
        content: {
          "application/json": {
            schema: Statement,
            example: {
              account_id: "ACC-7890",
              client_id: "acme",
              ledger_account: "customer:acme:ACC-7890",
              currency: "USD",
              items: [
                {
                  transaction_id: "8d0f7a4e-2a55-4a39-9f4b-6b3f5a8e2c11",
                  type: "debit",
                  posted_at: "2026-12-06T10:15:30.123Z",
                  amount: "-89.99",
                  amount_minor: "-8999",
                  balance_after: "-1250.75",
                  balance_after_minor: "-125075",
                  seq: 42,
                },
                {
                  transaction_id: "0b6c1f7e-93a2-4c55-8f0e-2d7b4a9c6e31",
                  type: "cash_in",
                  posted_at: "2026-12-06T09:58:12.004Z",
                  amount: "500.00",
                  amount_minor: "50000",
                  balance_after: "-1160.76",
                  balance_after_minor: "-116076",
                  seq: 41,
                },
              ],
              next_cursor: "MjAyNi0xMi0wNlQwOTo1ODoxMi4wMDQwMDBafDQx",
            },
          },
        },
      },
      401: problem("Missing or unknown API key"),
      403: problem("The API key has neither the read nor the ops scope, or a read key named another client"),
      404: problem("No such account, or it is another client's"),
      422: problem(
        "Invalid fields: currency (REQUIRED when the account holds several), from, to, limit (1-500), a cursor this API did not issue (INVALID_CURSOR), client_id",
      ),
      429: problem("Rate limit exceeded (Retry-After)"),
      503: problem("The ledger database is unavailable"),
    },
  });
  app.get("/v1/accounts/:account_id/statement", read, limited, async (c) =>
    c.json((await statementOf(c)).statement),
  );

  // The statement as a page for a browser (ops, like /reports, which links each row's account here).
  app.get("/accounts/:account_id/statement", securePage, ops, pageLimited, async (c) => {
    const { statement, query } = await statementOf(c);
    return c.html(statementPage(statement, query));
  });
};
