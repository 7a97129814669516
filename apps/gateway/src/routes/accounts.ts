// /v1/accounts: a customer account's current balances (issue 28, first slice).

import type { OpenAPIHono } from "@hono/zod-openapi";
import { AccountParams, AccountQuery, AccountView, Problem } from "@ledgerline/contracts";
import { customerAccount } from "@ledgerline/domain";
import { Effect } from "effect";
import { readReach } from "../access/apiKeys.ts";
import type { Authenticator } from "../auth.ts";
import { invalidFields, RequestRejected } from "../errors.ts";
import { zodFieldErrors } from "../ingest/toRequested.ts";
import { rateLimit, TokenBuckets } from "../rateLimit.ts";
import type { GatewayServices } from "../services/index.ts";
import { toAccountView } from "../views.ts";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

export const accountRoutes = (app: OpenAPIHono, services: GatewayServices, access: Authenticator): void => {
  const { settings } = services;
  // read: the client's own accounts; ops: anyone's, naming the client.
  const read = access.require(["read", "ops"]);
  const limited = rateLimit(new TokenBuckets(settings.rateLimitPerSecond, settings.rateLimitBurst));

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/accounts/{account_id}",
    summary: "A customer account's current balance in each currency, exact",
    description:
      "A read key sees its own client's account `customer:<its client>:<account_id>`; an ops key names the client with `client_id` (a key with both scopes means its own client when it leaves client_id out). 404 when the account has no balance (nothing was ever posted on it), or when it is another client's.",
    tags: ["query"],
    security: [{ bearerAuth: [] }],
    request: { params: AccountParams, query: AccountQuery },
    responses: {
      200: {
        description: "The account's balances",
        content: {
          "application/json": {
            schema: AccountView,
            example: {
              account_id: "ACC-7890",
              client_id: "acme",
              ledger_account: "customer:acme:ACC-7890",
              balances: [
                {
                  currency: "BHD",
                  balance: "12.345",
                  balance_minor: "12345",
                  updated_at: "2026-12-06T09:00:00.000Z",
                },
                {
                  currency: "USD",
                  balance: "-1250.75",
                  balance_minor: "-125075",
                  updated_at: "2026-12-06T10:15:30.123Z",
                },
              ],
              last_posting_at: "2026-12-06T10:15:30.123Z",
            },
          },
        },
      },
      401: problem("Missing or unknown API key"),
      403: problem("The API key has neither the read nor the ops scope, or a read key named another client"),
      404: problem("No such account: nothing was ever posted on it, or it is another client's"),
      422: problem("Invalid fields: account_id, or client_id (required with an ops key)"),
      429: problem("Rate limit exceeded (Retry-After)"),
      503: problem("The ledger database is unavailable"),
    },
  });
  app.get("/v1/accounts/:account_id", read, limited, async (c) => {
    const params = AccountParams.safeParse({ account_id: c.req.param("account_id") });
    const query = AccountQuery.safeParse(c.req.query());
    const errors = [
      ...(params.success ? [] : zodFieldErrors(params.error)),
      ...(query.success ? [] : zodFieldErrors(query.error)),
    ];
    if (!params.success || !query.success) throw invalidFields(errors);
    const accountId = params.data.account_id;
    const named = query.data.client_id;
    const principal = c.get("principal");
    const reach = readReach(principal);
    let clientId: string;
    if (named === undefined) {
      // A key with the read scope means its own client's account (also a key with read and ops, such as
      // the development key); an ops-only key belongs to no customer, so it must say whose.
      if (!principal.scopes.has("read")) {
        throw invalidFields([
          {
            field: "client_id",
            code: "REQUIRED",
            message: "an ops key must say whose account: client_id is required",
          },
        ]);
      }
      clientId = principal.clientId;
    } else if (reach.kind === "own" && named !== reach.clientId) {
      throw new RequestRejected({
        reason: "FORBIDDEN",
        detail: `the key of client "${reach.clientId}" sees only its own accounts; leave client_id out or name "${reach.clientId}"`,
      });
    } else {
      clientId = named;
    }
    const ledgerAccount = customerAccount(clientId, accountId);
    const rows = await Effect.runPromise(services.ledger.balances(ledgerAccount));
    if (rows.length === 0) {
      throw new RequestRejected({
        reason: "NOT_FOUND",
        detail: `account ${accountId} has no balance: nothing was posted on it`,
      });
    }
    return c.json(toAccountView(accountId, clientId, ledgerAccount, rows));
  });
};
