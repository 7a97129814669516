// The catalogue of problem types the gateway answers with: the one place their status, title and retry
// advice live. errors.ts builds every problem+json answer from it; docs/errors.md lists exactly these
// (checked by problems.test.ts), so a client team can pin the `type` URIs.

export const PROBLEM_TYPE_BASE = "https://ledgerline.dev/problems/";

/**
 * What a client should do with the answer:
 * - `no`: the same request gets the same answer; change it (or the key, or the scope) first.
 * - `after Retry-After`: repeat it unchanged, with the same Idempotency-Key, once Retry-After has passed.
 * - `with backoff`: repeat it unchanged, with the same Idempotency-Key, a few times with backoff.
 * - `poll`: a transaction just accepted is not posted yet; GET it again shortly.
 */
export type RetryAdvice = "no" | "after Retry-After" | "with backoff" | "poll";

export interface ProblemKind {
  readonly status: number;
  readonly title: string;
  readonly retry: RetryAdvice;
}

export const PROBLEMS = {
  "unreadable-body": { status: 400, title: "Unreadable body", retry: "no" },
  unauthorized: { status: 401, title: "Missing or invalid API key", retry: "no" },
  forbidden: { status: 403, title: "The API key lacks the scope this needs", retry: "no" },
  "not-found": { status: 404, title: "Not found", retry: "poll" },
  "idempotency-conflict": { status: 409, title: "Idempotency key reused with a different body", retry: "no" },
  "limit-below-balance": {
    status: 409,
    title: "The balance is already below the limit asked for",
    retry: "no",
  },
  "payload-too-large": { status: 413, title: "Payload too large", retry: "no" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type", retry: "no" },
  "invalid-fields": { status: 422, title: "Invalid fields", retry: "no" },
  "rate-limited": { status: 429, title: "Too many requests", retry: "after Retry-After" },
  internal: { status: 500, title: "Internal error", retry: "with backoff" },
  unavailable: { status: 503, title: "Service unavailable", retry: "after Retry-After" },
} as const satisfies Record<string, ProblemKind>;

export type ProblemSlug = keyof typeof PROBLEMS;

/** A problem's `type`, `title` and `status`, as the answer carries them. */
export const problemHead = (slug: ProblemSlug) => ({
  type: PROBLEM_TYPE_BASE + slug,
  title: PROBLEMS[slug].title,
  status: PROBLEMS[slug].status,
});
