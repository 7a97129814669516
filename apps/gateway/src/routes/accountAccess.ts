// What every /v1/accounts route shares: its middlewares (built once, so the routes share one rate
// limit), the parsing of several inputs into one 422, whose account a key may name, and the account's
// balance rows or a 404.
import { AccountParams } from "@ledgerline/contracts";
import { Effect } from "effect";
import type { Context } from "hono";
import type { z } from "zod";
import type { Principal } from "../access/apiKeys.ts";
import type { Authenticator } from "../auth.ts";
import { jsonBody } from "../body.ts";
import { invalidFields, RequestRejected } from "../errors.ts";
import { zodFieldErrors } from "../ingest/toRequested.ts";
import { rateLimit, TokenBuckets } from "../rateLimit.ts";
import type { GatewayServices } from "../services/index.ts";

/** The data of several parses, or a 422 naming the field errors of all of them. */
export const dataOf = <const R extends readonly z.ZodSafeParseResult<unknown>[]>(
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
export const owningClient = (principal: Principal, named: string | undefined, what: string): string => {
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

export const accountRouteContext = (services: GatewayServices, access: Authenticator) => {
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

  return { read, manage, ops, limited, pageLimited, body, paramsOf, accountRows };
};

export type AccountRouteContext = ReturnType<typeof accountRouteContext>;
