// /v1/accounts: a customer account's balances (now or as of a moment), its statement, and its overdraft
// limits (issue 28). Also the statement as a page for a browser, which /reports links each account to.

import type { OpenAPIHono } from "@hono/zod-openapi";
import { AccountParams, AccountQuery, AccountView } from "@ledgerline/contracts";
import { customerAccount } from "@ledgerline/domain";
import { Effect } from "effect";
import type { Authenticator } from "../auth.ts";
import type { GatewayServices } from "../services/index.ts";
import { toAccountView } from "../views.ts";
import { accountRouteContext, dataOf, owningClient } from "./accountAccess.ts";
import { ACCOUNT_EXAMPLE, BALANCE_EXAMPLE } from "./accountExamples.ts";
import { limitRoutes } from "./accountLimits.ts";
import { statementRoutes } from "./accountStatement.ts";
import { problem } from "./problem.ts";

/** RFC 3339 with an offset → UTC text, exact to the digits given (milliseconds at least). */
export const utcMoment = (text: string): string => {
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? "";
  const iso = new Date(text).toISOString();
  return fraction.length > 3 ? `${iso.slice(0, -1)}${fraction.slice(3)}Z` : iso;
};

export const accountRoutes = (app: OpenAPIHono, services: GatewayServices, access: Authenticator): void => {
  const context = accountRouteContext(services, access);
  const { read, limited, paramsOf, accountRows } = context;

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/accounts/{account_id}",
    summary:
      "A customer account's balance in each currency, exact, with its overdraft limits; or as of a moment",
    description:
      "A read key sees its own client's account `customer:<its client>:<account_id>`; an ops key names the client with `client_id` (a key with both scopes means its own client when it leaves client_id out). 404 when the account has no balance row (nothing was ever posted on it and no limit set), or when it is another client's. With `as_of`, the balances come from the postings (the balance after the newest posting at or before that moment, per currency); the limits shown are always the current ones.",
    tags: ["query"],
    security: [{ bearerAuth: [] }],
    request: { params: AccountParams, query: AccountQuery },
    responses: {
      200: {
        description: "The account's balances",
        content: {
          "application/json": {
            schema: AccountView,
            examples: {
              now: { summary: "Now", value: ACCOUNT_EXAMPLE },
              as_of: {
                summary: "?as_of=2026-12-06T10:00:00Z",
                value: {
                  ...ACCOUNT_EXAMPLE,
                  as_of: "2026-12-06T10:00:00.000Z",
                  balances: [
                    {
                      ...BALANCE_EXAMPLE,
                      balance: "-1160.76",
                      balance_minor: "-116076",
                      updated_at: "2026-12-06T09:58:12.004Z",
                      available: "839.24",
                      available_minor: "83924",
                    },
                  ],
                  last_posting_at: "2026-12-06T09:58:12.004Z",
                },
              },
            },
          },
        },
      },
      401: problem("Missing or unknown API key"),
      403: problem("The API key has neither the read nor the ops scope, or a read key named another client"),
      404: problem("No such account: nothing was ever posted on it, or it is another client's"),
      422: problem("Invalid fields: account_id, client_id (required with an ops key), as_of"),
      429: problem("Rate limit exceeded (Retry-After)"),
      503: problem("The ledger database is unavailable"),
    },
  });
  app.get("/v1/accounts/:account_id", read, limited, async (c) => {
    const [{ account_id: accountId }, query] = dataOf(paramsOf(c), AccountQuery.safeParse(c.req.query()));
    const clientId = owningClient(c.get("principal"), query.client_id, "sees");
    const ledgerAccount = customerAccount(clientId, accountId);
    const asOf = query.as_of;
    const [rows, then] = await Promise.all([
      accountRows(ledgerAccount, accountId),
      asOf === undefined ? undefined : Effect.runPromise(services.ledger.balancesAsOf(ledgerAccount, asOf)),
    ]);
    return c.json(
      toAccountView(
        accountId,
        clientId,
        ledgerAccount,
        rows,
        asOf === undefined || then === undefined ? undefined : { moment: utcMoment(asOf), balances: then },
      ),
    );
  });

  statementRoutes(app, services, context);
  limitRoutes(app, services, context);
};
