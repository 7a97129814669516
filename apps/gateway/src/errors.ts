// Tagged errors and the ONE mapping from them to RFC 9457 problem+json responses.
import type { FieldError, Problem } from "@ledgerline/contracts";
import { Schema } from "effect";

const FieldErrorSchema = Schema.Struct({ field: Schema.String, code: Schema.String, message: Schema.String });

/** The request itself is unacceptable; the client must change it (4xx). */
export class RequestRejected extends Schema.TaggedError<RequestRejected>()("RequestRejected", {
  reason: Schema.Literals([
    "UNREADABLE_BODY",
    "UNSUPPORTED_MEDIA_TYPE",
    "PAYLOAD_TOO_LARGE",
    "INVALID_FIELDS",
    "UNAUTHORIZED",
    "FORBIDDEN",
    "RATE_LIMITED",
    "IDEMPOTENCY_CONFLICT",
    "NOT_FOUND",
    "LIMIT_BELOW_BALANCE",
  ]),
  detail: Schema.String,
  errors: Schema.optional(Schema.Array(FieldErrorSchema)),
  retryAfterSeconds: Schema.optional(Schema.Number),
  /** UNAUTHORIZED: the WWW-Authenticate challenge (Bearer for the API, Basic for pages a browser opens). */
  challenge: Schema.optional(Schema.String),
}) {}

/** The record could not be made durable now; the client should retry later (503). */
export class PublishError extends Schema.TaggedError<PublishError>()("PublishError", {
  reason: Schema.Literals([
    "BUFFER_FULL",
    "BROKER_UNAVAILABLE",
    "ACK_TIMEOUT",
    "REGISTRY_UNAVAILABLE",
    "SHUTTING_DOWN",
  ]),
  detail: Schema.String,
}) {}

/** The ledger (Postgres) could not answer. */
export class LedgerUnavailable extends Schema.TaggedError<LedgerUnavailable>()("LedgerUnavailable", {
  detail: Schema.String,
}) {}

export const invalidFields = (errors: readonly FieldError[]): RequestRejected =>
  new RequestRejected({
    reason: "INVALID_FIELDS",
    detail: `${errors.length} field${errors.length === 1 ? " is" : "s are"} invalid`,
    errors: [...errors],
  });

const REJECTED: Record<RequestRejected["reason"], { status: number; title: string; slug: string }> = {
  UNREADABLE_BODY: { status: 400, title: "Unreadable body", slug: "unreadable-body" },
  UNAUTHORIZED: { status: 401, title: "Missing or invalid API key", slug: "unauthorized" },
  FORBIDDEN: { status: 403, title: "The API key lacks the scope this needs", slug: "forbidden" },
  NOT_FOUND: { status: 404, title: "Not found", slug: "not-found" },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    title: "Idempotency key reused with a different body",
    slug: "idempotency-conflict",
  },
  LIMIT_BELOW_BALANCE: {
    status: 409,
    title: "The balance is already below the limit asked for",
    slug: "limit-below-balance",
  },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large", slug: "payload-too-large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type", slug: "unsupported-media-type" },
  INVALID_FIELDS: { status: 422, title: "Invalid fields", slug: "invalid-fields" },
  RATE_LIMITED: { status: 429, title: "Too many requests", slug: "rate-limited" },
};

const TYPE_BASE = "https://ledgerline.dev/problems/";

export interface ProblemResponse {
  readonly problem: Problem;
  readonly headers: Record<string, string>;
}

/** Any thrown value → the problem it should be answered with. Unknown errors are 500s, never crashes. */
export const toProblem = (error: unknown, instance: string, retryAfterSeconds: number): ProblemResponse => {
  if (error instanceof RequestRejected) {
    const kind = REJECTED[error.reason];
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined)
      headers["Retry-After"] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    if (error.reason === "UNAUTHORIZED")
      headers["WWW-Authenticate"] = error.challenge ?? 'Bearer realm="ledgerline"';
    return {
      problem: {
        type: TYPE_BASE + kind.slug,
        title: kind.title,
        status: kind.status,
        detail: error.detail,
        instance,
        ...(error.errors ? { errors: [...error.errors] } : {}),
      },
      headers,
    };
  }
  if (error instanceof PublishError || error instanceof LedgerUnavailable) {
    return {
      problem: {
        type: `${TYPE_BASE}unavailable`,
        title: "Service unavailable",
        status: 503,
        detail: error.detail,
        instance,
      },
      headers: { "Retry-After": String(retryAfterSeconds) },
    };
  }
  return {
    problem: {
      type: `${TYPE_BASE}internal`,
      title: "Internal error",
      status: 500,
      detail: "unexpected error",
      instance,
    },
    headers: {},
  };
};

export const problemResponse = ({ problem, headers }: ProblemResponse): Response =>
  new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
