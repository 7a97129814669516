// /v1/transactions: ingest (single, alias, batch) and the query endpoints.

import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  type BatchItemResult,
  BatchRequest,
  BatchResponse,
  TRANSACTION_REQUEST_EXAMPLES,
  TransactionAccepted,
  TransactionList,
  TransactionListQuery,
  TransactionRequest,
  TransactionView,
} from "@ledgerline/contracts";
import { Effect } from "effect";
import type { Context } from "hono";
import { z } from "zod";
import { readReach } from "../access/apiKeys.ts";
import type { Authenticator, AuthVariables } from "../auth.ts";
import { type BodyVariables, jsonBody } from "../body.ts";
import { invalidFields, PublishError, RequestRejected } from "../errors.ts";
import { requestHeader } from "../headers.ts";
import { type IngestOutcome, ingestOne } from "../ingest/ingest.ts";
import { zodFieldErrors } from "../ingest/toRequested.ts";
import { idFromClientChosenId } from "../ingest/transactionId.ts";
import { rateLimit, TokenBuckets } from "../rateLimit.ts";
import type { GatewayServices } from "../services/index.ts";
import type { TraceVariables } from "../tracing.ts";
import { toView } from "../views.ts";
import { filtersOf } from "./listFilters.ts";
import { problem } from "./problem.ts";

type Env = { Variables: AuthVariables & BodyVariables & TraceVariables };

const invalid = problem("Invalid fields (field-level errors)");

const ingestResponses = {
  202: {
    description: "Durably accepted (acked by Kafka, acks=all)",
    content: { "application/json": { schema: TransactionAccepted } },
  },
  200: {
    description: "Idempotent retry of a transaction the ledger already holds: its current state",
    content: { "application/json": { schema: TransactionView } },
  },
  400: problem("Unreadable body (malformed JSON, not UTF-8)"),
  401: problem("Missing or unknown API key"),
  403: problem("The API key lacks the ingest scope"),
  409: problem("Idempotency-Key reused with a different body"),
  413: problem("Body too large"),
  415: problem("Content-Type is not application/json"),
  422: problem(
    "Invalid fields (field-level errors), among them a kind's own: REQUIRED (a field the kind needs is missing), NOT_ALLOWED_FOR_TYPE (a field that does not belong to the kind), SAME_ACCOUNT (a transfer to account_id itself), SAME_TRANSACTION (a refund of itself)",
  ),
  429: problem("Rate limit exceeded (Retry-After)"),
  503: problem("Kafka or the registry cannot make the record durable now (Retry-After)"),
};

const idempotencyHeader = z.object({
  "Idempotency-Key": z.string().max(200).optional().meta({
    description: "Same key from the same client → same transaction id (UUIDv5 of client + key)",
  }),
});

export const statusUrl = (id: string) => `/v1/transactions/${id}`;

const respond = (c: Context, outcome: IngestOutcome): Response => {
  if (outcome.kind === "existing") return c.json(toView(outcome.row), 200);
  const id = outcome.record.transaction_id;
  const location = statusUrl(id);
  // Plain-object headers: @hono/node-server writes them directly (c.header() would build a Headers).
  return new Response(JSON.stringify({ transaction_id: id, status: "accepted", location }), {
    status: 202,
    headers: { "content-type": "application/json", location },
  });
};

export const transactionRoutes = (
  app: OpenAPIHono,
  services: GatewayServices,
  access: Authenticator,
): void => {
  const { settings } = services;
  const ingest = access.require(["ingest"]);
  // read: the client's own transactions; ops: everyone's.
  const read = access.require(["read", "ops"]);
  const limited = rateLimit(new TokenBuckets(settings.rateLimitPerSecond, settings.rateLimitBurst));
  const single = jsonBody(settings.bodyLimitBytes, settings.maxJsonDepth);
  const idempotencyKeyOf = (c: Context) => requestHeader(c, "idempotency-key");
  const traceContextOf = (c: Context) => (c as Context<{ Variables: TraceVariables }>).get("traceContext");

  const ingestHandler = async (c: Context<Env>) =>
    respond(
      c,
      await ingestOne(services, c.get("body"), c.get("clientId"), idempotencyKeyOf(c), c.get("traceContext")),
    );

  for (const [path, summary] of [
    ["/v1/transactions", "Submit a transaction"],
    ["/transaction", "Submit a transaction (alias of POST /v1/transactions, seed 002's path)"],
  ] as const) {
    app.openAPIRegistry.registerPath({
      method: "post",
      path,
      summary,
      tags: ["ingest"],
      security: [{ bearerAuth: [] }],
      request: {
        headers: idempotencyHeader,
        body: {
          required: true,
          content: {
            "application/json": { schema: TransactionRequest, examples: TRANSACTION_REQUEST_EXAMPLES },
          },
        },
      },
      responses: ingestResponses,
    });
    app.post(path, ingest, limited, single, ingestHandler);
  }

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/transactions:batch",
    summary: `Submit up to ${settings.batchMaxItems} transactions; each item gets its own result`,
    description:
      "202 when every item was accepted, 200 otherwise (see each result). An Idempotency-Key header derives item i's id from `<key>#<i>`.",
    tags: ["ingest"],
    security: [{ bearerAuth: [] }],
    request: {
      headers: idempotencyHeader,
      body: { required: true, content: { "application/json": { schema: BatchRequest } } },
    },
    responses: {
      202: { description: "All items accepted", content: { "application/json": { schema: BatchResponse } } },
      200: {
        description: "Some items invalid or unavailable",
        content: { "application/json": { schema: BatchResponse } },
      },
      400: ingestResponses[400],
      401: ingestResponses[401],
      403: ingestResponses[403],
      413: ingestResponses[413],
      415: ingestResponses[415],
      422: invalid,
      429: ingestResponses[429],
    },
  });
  app.post(
    "/v1/transactions:batch",
    ingest,
    limited,
    jsonBody(settings.batchBodyLimitBytes, settings.maxJsonDepth + 1),
    async (c) => {
      const parsed = BatchRequest.safeParse(c.get("body"));
      if (!parsed.success) throw invalidFields(zodFieldErrors(parsed.error));
      const items = parsed.data.items;
      if (items.length > settings.batchMaxItems) {
        throw invalidFields([
          { field: "items", code: "TOO_BIG", message: `at most ${settings.batchMaxItems} items per batch` },
        ]);
      }
      const key = idempotencyKeyOf(c);
      const results = await Promise.all(
        items.map((item, index) =>
          ingestOne(
            services,
            item,
            c.get("clientId"),
            key === undefined ? undefined : `${key}#${index}`,
            traceContextOf(c),
          ).then(
            (outcome): BatchItemResult => {
              const id =
                outcome.kind === "accepted" ? outcome.record.transaction_id : outcome.row.transaction_id;
              return { index, status: "accepted", transaction_id: id, location: statusUrl(id) };
            },
            (error: unknown): BatchItemResult => {
              if (error instanceof RequestRejected) {
                const errors = (
                  error.errors ?? [{ field: "", code: error.reason, message: error.detail }]
                ).map((e) => ({ ...e, field: e.field ? `items[${index}].${e.field}` : `items[${index}]` }));
                return { index, status: "invalid", errors };
              }
              if (error instanceof PublishError)
                return { index, status: "unavailable", detail: error.detail };
              throw error; // a bug, not a per-item outcome: onError answers 500
            },
          ),
        ),
      );
      const count = (status: BatchItemResult["status"]) => results.filter((r) => r.status === status).length;
      const body = {
        accepted: count("accepted"),
        invalid: count("invalid"),
        unavailable: count("unavailable"),
        results,
      };
      if (body.accepted === 0 && body.unavailable > 0 && body.invalid === 0) {
        throw new PublishError({ reason: "BROKER_UNAVAILABLE", detail: "no item could be made durable" });
      }
      return c.json(body, body.accepted === results.length ? 202 : 200);
    },
  );

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/transactions",
    summary:
      "List transactions (newest first, cursor pagination): the client's own, or everyone's with the ops scope",
    tags: ["query"],
    security: [{ bearerAuth: [] }],
    request: { query: TransactionListQuery },
    responses: {
      200: { description: "A page", content: { "application/json": { schema: TransactionList } } },
      401: ingestResponses[401],
      403: problem("The API key has neither the read nor the ops scope"),
      422: invalid,
      503: problem("The ledger database is unavailable"),
    },
  });
  app.get("/v1/transactions", read, limited, async (c) => {
    const query = TransactionListQuery.safeParse(c.req.query());
    if (!query.success) throw invalidFields(zodFieldErrors(query.error));
    const q = query.data;
    const reach = readReach(c.get("principal"));
    const page = await Effect.runPromise(
      services.ledger.list(
        {
          ...(reach.kind === "own" ? { clientId: reach.clientId } : {}),
          ...filtersOf(q),
        },
        q.limit,
        q.cursor,
      ),
    );
    return c.json({ items: page.rows.map(toView), next_cursor: page.nextCursor });
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/transactions/{id}",
    summary: "A transaction's fate: posted, rejected (reasons), dead-lettered (reason) or historical",
    description:
      "404 while it is still in flight (accepted but not yet in the ledger), unknown, or another client's: poll this URL. A client finds its transaction by the ledger id or by the transaction_id it chose.",
    tags: ["query"],
    security: [{ bearerAuth: [] }],
    request: { params: z.object({ id: z.uuid() }) },
    responses: {
      200: { description: "The transaction", content: { "application/json": { schema: TransactionView } } },
      401: ingestResponses[401],
      403: problem("The API key has neither the read nor the ops scope"),
      404: problem("Not in the ledger yet (in flight), unknown, or another client's"),
      422: invalid,
      503: problem("The ledger database is unavailable"),
    },
  });
  app.get("/v1/transactions/:id", read, limited, async (c) => {
    const id = c.req.param("id");
    if (!z.uuid().safeParse(id).success) {
      throw invalidFields([
        { field: "id", code: "INVALID_FORMAT", message: "transaction id must be a UUID" },
      ]);
    }
    const reach = readReach(c.get("principal"));
    const wanted = id.toLowerCase();
    // A read key finds only its own client's rows: by the ledger id, or by the id the client chose.
    const row =
      reach.kind === "everything"
        ? await Effect.runPromise(services.ledger.get(wanted))
        : ((await Effect.runPromise(services.ledger.get(wanted, reach.clientId))) ??
          (await Effect.runPromise(
            services.ledger.get(idFromClientChosenId(reach.clientId, wanted), reach.clientId),
          )));
    if (!row) {
      throw new RequestRejected({
        reason: "NOT_FOUND",
        detail: `transaction ${id} is not in the ledger: still in flight (accepted, not yet posted) or unknown; poll again shortly`,
      });
    }
    return c.json(toView(row));
  });
};
