// What every loop does when it meets a fault: mark its component as retrying, count it, and log it at
// warn — the first occurrence at once, then at most one line per reason every few seconds, so an outage
// of minutes is a handful of lines that say how many retries they stand for.
import { type ComponentHealth, metrics } from "@ledgerline/observability";
import { Effect } from "effect";
import { retryPolicy } from "./retryPolicy.ts";
import type { StageFault } from "./StageFault.ts";

/** Lines per (component, reason): one, then one every `intervalMs`, carrying how many were held back. */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #last = new Map<string, { at: number; held: number }>();

  constructor(intervalMs = 5_000) {
    this.#intervalMs = intervalMs;
  }

  /** Whether to log now; `held` is how many occurrences since the last logged one were not logged. */
  admit(key: string, now = Date.now()): { readonly log: boolean; readonly held: number } {
    const last = this.#last.get(key);
    if (!last || now - last.at >= this.#intervalMs) {
      this.#last.set(key, { at: now, held: 0 });
      return { log: true, held: last?.held ?? 0 };
    }
    last.held += 1;
    return { log: false, held: last.held };
  }
}

const throttle = new LogThrottle();

/** Records `fault` against `health` (state, metrics) and logs it, throttled. */
export const reportFault = (health: ComponentHealth, fault: StageFault, what: string) =>
  Effect.suspend(() => {
    const decision = retryPolicy(fault.reason);
    metrics.stageFaults.inc({ stage: health.name, reason: fault.reason });
    if (decision._tag === "Stop") {
      return Effect.logError(`${what}: ${fault.reason}, stopping`).pipe(
        Effect.annotateLogs({
          stage: health.name,
          reason: fault.reason,
          error: fault.message,
          fix: fault.fix,
        }),
      );
    }
    metrics.retries.inc({ stage: health.name, reason: fault.reason });
    health.retrying(fault.reason, fault.message);
    const { log, held } = throttle.admit(`${health.name}:${fault.reason}`);
    if (!log) return Effect.void;
    return Effect.logWarning(`${what}: ${fault.reason}, retrying`).pipe(
      Effect.annotateLogs({
        stage: health.name,
        reason: fault.reason,
        error: fault.message.slice(0, 1_000),
        ...(held > 0 ? { retriesNotLogged: held } : {}),
        ...(decision.renew.length > 0 ? { renew: decision.renew.join(",") } : {}),
      }),
    );
  });
