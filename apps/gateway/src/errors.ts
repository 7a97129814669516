// Tagged errors and the ONE mapping from them to RFC 9457 problem+json responses.
import type { FieldError, Problem } from "@ledgerline/contracts";
import { Schema } from "effect";
import { type ProblemSlug, problemHead } from "./problems.ts";

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

/** Each rejection's problem type (its status and title are in the catalogue, problems.ts). */
const REJECTED: Record<RequestRejected["reason"], ProblemSlug> = {
  UNREADABLE_BODY: "unreadable-body",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not-found",
  IDEMPOTENCY_CONFLICT: "idempotency-conflict",
  LIMIT_BELOW_BALANCE: "limit-below-balance",
  PAYLOAD_TOO_LARGE: "payload-too-large",
  UNSUPPORTED_MEDIA_TYPE: "unsupported-media-type",
  INVALID_FIELDS: "invalid-fields",
  RATE_LIMITED: "rate-limited",
};

export interface ProblemResponse {
  readonly problem: Problem;
  readonly headers: Record<string, string>;
}

/** Any thrown value → the problem it should be answered with. Unknown errors are 500s, never crashes. */
export const toProblem = (error: unknown, instance: string, retryAfterSeconds: number): ProblemResponse => {
  if (error instanceof RequestRejected) {
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined)
      headers["Retry-After"] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    if (error.reason === "UNAUTHORIZED")
      headers["WWW-Authenticate"] = error.challenge ?? 'Bearer realm="ledgerline"';
    return {
      problem: {
        ...problemHead(REJECTED[error.reason]),
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
        ...problemHead("unavailable"),
        detail: error.detail,
        instance,
      },
      headers: { "Retry-After": String(retryAfterSeconds) },
    };
  }
  return {
    problem: {
      ...problemHead("internal"),
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
