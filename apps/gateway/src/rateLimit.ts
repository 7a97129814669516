// Per-client token bucket: `perSecond` sustained, `burst` at once; 429 + Retry-After beyond.
import type { MiddlewareHandler } from "hono";
import type { AuthVariables } from "./auth.ts";
import { RequestRejected } from "./errors.ts";

export class TokenBuckets {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(perSecond: number, burst: number) {
    this.#perSecond = perSecond;
    this.#burst = Math.max(1, burst);
  }

  /** Takes `cost` tokens; returns 0 when allowed, else the seconds until enough have refilled. */
  take(client: string, cost = 1, now = performance.now()): number {
    const bucket = this.#buckets.get(client) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#perSecond);
    bucket.at = now;
    this.#buckets.set(client, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return this.#perSecond > 0 ? (Math.min(cost, this.#burst) - bucket.tokens) / this.#perSecond : 60;
  }
}

/** Charges one token per request (a batch counts once: its size is capped separately). */
export const rateLimit =
  (buckets: TokenBuckets): MiddlewareHandler<{ Variables: AuthVariables }> =>
  async (c, next) => {
    const wait = buckets.take(c.get("clientId"));
    if (wait > 0) {
      throw new RequestRejected({
        reason: "RATE_LIMITED",
        detail: `rate limit exceeded for client ${c.get("clientId")}`,
        retryAfterSeconds: wait,
      });
    }
    await next();
  };
