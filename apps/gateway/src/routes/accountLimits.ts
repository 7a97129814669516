// /v1/accounts/{account_id}/limits: a currency's overdraft limit set (PUT) or removed (DELETE) by the
// owning client or ops (issue 28).
import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  AccountParams,
  AccountView,
  type FieldError,
  LimitDeleteQuery,
  LimitQuery,
  LimitRequest,
} from "@ledgerline/contracts";
import { customerAccount, formatMinor, isSupportedCurrency, toMinorUnits } from "@ledgerline/domain";
import { Effect } from "effect";
import type { Principal } from "../access/apiKeys.ts";
import { invalidFields, RequestRejected } from "../errors.ts";
import type { GatewayServices } from "../services/index.ts";
import { decimalText, toAccountView } from "../views.ts";
import { type AccountRouteContext, dataOf, owningClient } from "./accountAccess.ts";
import { ACCOUNT_EXAMPLE } from "./accountExamples.ts";
import { problem } from "./problem.ts";

/** The largest limit taken (minor units): −limit stays far inside a signed 64-bit balance. */
const MAX_LIMIT_MINOR = 10n ** 18n - 1n;

/** `overdraft_limit` text → minor units, or the field error: a plain decimal ≥ 0 in the currency's exponent. */
export const parseLimit = (text: string, currency: string): bigint | FieldError => {
  const field = "overdraft_limit";
  if (!isSupportedCurrency(currency)) {
    return {
      field: "currency",
      code: "UNKNOWN_CURRENCY",
      message: `${currency} is not a supported ISO 4217 currency`,
    };
  }
  if (text.trim().startsWith("-")) {
    return {
      field,
      code: "NEGATIVE",
      message: "a limit is how far below zero the balance may go: 0 or more",
    };
  }
  const parsed = toMinorUnits(text, currency, MAX_LIMIT_MINOR);
  if (parsed.ok) return parsed.minor;
  switch (parsed.problem) {
    case "NOT_POSITIVE":
      return 0n; // "0.00": a limit too (never below zero)
    case "NOT_A_DECIMAL":
      return {
        field,
        code: parsed.problem,
        message: `${text} is not a plain decimal number, such as "100.00"`,
      };
    case "TOO_LARGE":
      return {
        field,
        code: parsed.problem,
        message: `at most ${formatMinor(MAX_LIMIT_MINOR, currency)} ${currency}`,
      };
    default:
      return { field, code: parsed.problem, message: parsed.message };
  }
};

/** Whose limits: the owning client's key with ingest, or ops naming the client. */
const limitsTarget = (principal: Principal, named: string | undefined, accountId: string) => {
  const clientId = owningClient(principal, named, "sets limits on");
  return { clientId, ledgerAccount: customerAccount(clientId, accountId), updatedBy: principal.clientId };
};

export const limitRoutes = (
  app: OpenAPIHono,
  services: GatewayServices,
  { manage, limited, body, paramsOf, accountRows }: AccountRouteContext,
): void => {
  app.openAPIRegistry.registerPath({
    method: "put",
    path: "/v1/accounts/{account_id}/limits",
    summary: "Set a currency's overdraft limit: how far below zero the balance may go",
    description:
      'The owning client (a key with the ingest scope) or ops (naming `client_id`). The sink refuses any debit that would take the balance below −limit (the transaction is rejected with INSUFFICIENT_FUNDS); "0.00" keeps it at zero or above. Refused with 409 LIMIT_BELOW_BALANCE when the balance is already below −limit. An account nothing was posted on may get a limit before its first debit (its balance is 0). Answers the account.',
    tags: ["limits"],
    security: [{ bearerAuth: [] }],
    request: {
      params: AccountParams,
      query: LimitQuery,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: LimitRequest,
            examples: {
              no_overdraft: {
                summary: "Never below zero",
                value: { currency: "USD", overdraft_limit: "0.00" },
              },
              overdraft: {
                summary: "Down to −2000.00",
                value: { currency: "USD", overdraft_limit: "2000.00" },
              },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: "The limit is set: the account",
        content: { "application/json": { schema: AccountView, example: ACCOUNT_EXAMPLE } },
      },
      400: problem("Unreadable body"),
      401: problem("Missing or unknown API key"),
      403: problem(
        "The key has neither the ingest nor the ops scope (a read-only key), or names another client",
      ),
      409: problem("LIMIT_BELOW_BALANCE: the balance is already below −limit (the detail says the balance)"),
      415: problem("Content-Type is not application/json"),
      422: problem(
        "Invalid fields: currency (UNKNOWN_CURRENCY), overdraft_limit (NEGATIVE, TOO_MANY_DECIMALS, NOT_A_DECIMAL, TOO_LARGE), account_id, client_id",
      ),
      429: problem("Rate limit exceeded (Retry-After)"),
      503: problem("The ledger database is unavailable"),
    },
  });
  app.put("/v1/accounts/:account_id/limits", manage, limited, body, async (c) => {
    const [{ account_id: accountId }, query, { currency, overdraft_limit }] = dataOf(
      paramsOf(c),
      LimitQuery.safeParse(c.req.query()),
      LimitRequest.safeParse(c.get("body")),
    );
    const limitMinor = parseLimit(overdraft_limit, currency);
    if (typeof limitMinor !== "bigint") throw invalidFields([limitMinor]);
    const target = limitsTarget(c.get("principal"), query.client_id, accountId);
    const outcome = await Effect.runPromise(services.limits.set({ ...target, currency, limitMinor }));
    if (outcome.kind === "below_balance") {
      throw new RequestRejected({
        reason: "LIMIT_BELOW_BALANCE",
        detail: `the ${currency} balance of account ${accountId} is ${decimalText(outcome.balance_minor, currency)}, already below −${overdraft_limit}: the limit is unchanged`,
      });
    }
    const rows = await accountRows(target.ledgerAccount, accountId);
    return c.json(toAccountView(accountId, target.clientId, target.ledgerAccount, rows));
  });

  app.openAPIRegistry.registerPath({
    method: "delete",
    path: "/v1/accounts/{account_id}/limits",
    summary: "Remove a currency's overdraft limit: the account behaves as without limits",
    description:
      "The owning client (a key with the ingest scope) or ops (naming `client_id`). 404 when that currency has no limit.",
    tags: ["limits"],
    security: [{ bearerAuth: [] }],
    request: { params: AccountParams, query: LimitDeleteQuery },
    responses: {
      204: { description: "The limit is removed" },
      401: problem("Missing or unknown API key"),
      403: problem(
        "The key has neither the ingest nor the ops scope (a read-only key), or names another client",
      ),
      404: problem("That currency of the account has no limit (or the account is another client's)"),
      422: problem("Invalid fields: currency (required), account_id, client_id"),
      429: problem("Rate limit exceeded (Retry-After)"),
      503: problem("The ledger database is unavailable"),
    },
  });
  app.delete("/v1/accounts/:account_id/limits", manage, limited, async (c) => {
    const [{ account_id: accountId }, query] = dataOf(paramsOf(c), LimitDeleteQuery.safeParse(c.req.query()));
    const { currency } = query;
    const target = limitsTarget(c.get("principal"), query.client_id, accountId);
    const removed = await Effect.runPromise(services.limits.remove({ ...target, currency }));
    if (!removed) {
      throw new RequestRejected({
        reason: "NOT_FOUND",
        detail: `account ${accountId} has no ${currency} limit`,
      });
    }
    return c.body(null, 204);
  });
};
