// /v1/accounts: a customer account's balances (now or as of a moment), its statement, and its overdraft
// limits (issue 28). Also the statement as a page for a browser, which /reports links each account to.

import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  AccountParams,
  AccountQuery,
  AccountView,
  type FieldError,
  LimitDeleteQuery,
  LimitQuery,
  LimitRequest,
  Problem,
  Statement,
  StatementQuery,
} from "@ledgerline/contracts";
import { customerAccount, formatMinor, isSupportedCurrency, toMinorUnits } from "@ledgerline/domain";
import { Effect } from "effect";
import type { Context } from "hono";
import type { z } from "zod";
import type { Principal } from "../access/apiKeys.ts";
import type { Authenticator, AuthVariables } from "../auth.ts";
import { jsonBody } from "../body.ts";
import { invalidFields, RequestRejected } from "../errors.ts";
import { zodFieldErrors } from "../ingest/toRequested.ts";
import { statementPage } from "../pages/statementPage.ts";
import { rateLimit, TokenBuckets } from "../rateLimit.ts";
import { securePage } from "../securePage.ts";
import type { GatewayServices } from "../services/index.ts";
import { decimalText, toAccountView, toStatementEntry } from "../views.ts";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

/** The largest limit taken (minor units): −limit stays far inside a signed 64-bit balance. */
const MAX_LIMIT_MINOR = 10n ** 18n - 1n;

const BALANCE_EXAMPLE = {
  currency: "USD",
  balance: "-1250.75",
  balance_minor: "-125075",
  updated_at: "2026-12-06T10:15:30.123Z",
  overdraft_limit: "2000.00",
  overdraft_limit_minor: "200000",
  available: "749.25",
  available_minor: "74925",
  limit_updated_at: "2026-12-01T08:00:00.000Z",
  limit_updated_by: "acme",
};

const ACCOUNT_EXAMPLE = {
  account_id: "ACC-7890",
  client_id: "acme",
  ledger_account: "customer:acme:ACC-7890",
  as_of: null,
  balances: [
    {
      currency: "BHD",
      balance: "12.345",
      balance_minor: "12345",
      updated_at: "2026-12-06T09:00:00.000Z",
      overdraft_limit: null,
      overdraft_limit_minor: null,
      available: null,
      available_minor: null,
      limit_updated_at: null,
      limit_updated_by: null,
    },
    BALANCE_EXAMPLE,
  ],
  last_posting_at: "2026-12-06T10:15:30.123Z",
};

/** The data of several parses, or a 422 naming the field errors of all of them. */
const dataOf = <const R extends readonly z.ZodSafeParseResult<unknown>[]>(
  ...results: R
): { [K in keyof R]: R[K] extends z.ZodSafeParseResult<infer T> ? T : never } => {
  const errors = results.flatMap((r) => (r.success ? [] : zodFieldErrors(r.error)));
  if (errors.length > 0) throw invalidFields(errors);
  return results.map((r) => r.data) as {
    [K in keyof R]: R[K] extends z.ZodSafeParseResult<infer T> ? T : never;
  };
};

/**
 * Whose account `account_id` is. A client's key (read or ingest) means its own client when it leaves
 * client_id out, and may name only its own; a key with ops may name any client and an ops-only key, which
 * belongs to no customer, must.
 */
const owningClient = (principal: Principal, named: string | undefined, what: string): string => {
  if (named === undefined) {
    if (!principal.scopes.has("read") && !principal.scopes.has("ingest")) {
      throw invalidFields([
        {
          field: "client_id",
          code: "REQUIRED",
          message: "an ops key must say whose account: client_id is required",
        },
      ]);
    }
    return principal.clientId;
  }
  if (!principal.scopes.has("ops") && named !== principal.clientId) {
    throw new RequestRejected({
      reason: "FORBIDDEN",
      detail: `the key of client "${principal.clientId}" ${what} only its own accounts; leave client_id out or name "${principal.clientId}"`,
    });
  }
  return named;
};

/** RFC 3339 with an offset → UTC text, exact to the digits given (milliseconds at least). */
export const utcMoment = (text: string): string => {
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? "";
  const iso = new Date(text).toISOString();
  return fraction.length > 3 ? `${iso.slice(0, -1)}${fraction.slice(3)}Z` : iso;
};

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

export const accountRoutes = (app: OpenAPIHono, services: GatewayServices, access: Authenticator): void => {
  const { settings } = services;
  // read: the client's own accounts; ops: anyone's, naming the client.
  const read = access.require(["read", "ops"]);
  // Limits: the owning client (its ingest key) and ops.
  const manage = access.require(["ingest", "ops"]);
  const ops = access.require(["ops"], { browser: true });
  const limited = rateLimit(new TokenBuckets(settings.rateLimitPerSecond, settings.rateLimitBurst));
  const pageLimited = rateLimit(
    new TokenBuckets(settings.reportRateLimitPerSecond, settings.reportRateLimitBurst),
  );
  const body = jsonBody(settings.bodyLimitBytes, settings.maxJsonDepth);

  const paramsOf = (c: Context) => AccountParams.safeParse({ account_id: c.req.param("account_id") });

  /** The account's balance rows, or a 404 (never posted on, no limit set, or another client's). */
  const accountRows = async (ledgerAccount: string, accountId: string) => {
    const rows = await Effect.runPromise(services.ledger.account(ledgerAccount));
    if (rows.length === 0) {
      throw new RequestRejected({
        reason: "NOT_FOUND",
        detail: `account ${accountId} has no balance: nothing was posted on it`,
      });
    }
    return rows;
  };

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

  /** Whose limits: the owning client's key with ingest, or ops naming the client. */
  const limitsTarget = (principal: Principal, named: string | undefined, accountId: string) => {
    const clientId = owningClient(principal, named, "sets limits on");
    return { clientId, ledgerAccount: customerAccount(clientId, accountId), updatedBy: principal.clientId };
  };

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
