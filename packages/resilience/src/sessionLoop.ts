// The loop around every long-running reader of a stage, written once: run a session; when it fails,
// classify → report → policy → renew → back off → run the next one. A session that ends normally (a
// new assignment, one relay pass) is simply started again. A fatal fault ends the loop with its StageFault.
import type { ComponentHealth } from "@ledgerline/observability";
import { Clock, Effect } from "effect";
import { type BackoffOptions, backoffDelayMs } from "./backoff.ts";
import { classifyFault } from "./classifyFault.ts";
import { reportFault } from "./reportFault.ts";
import { type Renewal, type RetryDecision, retryPolicy } from "./retryPolicy.ts";
import type { FaultReason, StageFault } from "./StageFault.ts";

export interface SessionLoopOptions<R = never> {
  readonly health: ComponentHealth;
  /** What ended, for the log line ("session ended"). */
  readonly what: string;
  readonly retry?: BackoffOptions;
  /** Re-creates the clients the policy names (and any the caller knows broke) before the next session. */
  readonly renew?: (renewals: readonly Renewal[]) => Effect.Effect<void, never, R> | Promise<void>;
  /** How a failure becomes a fault; classifyFault by default. */
  readonly classify?: (error: unknown) => StageFault;
  /** What a fault leads to; retryPolicy by default. */
  readonly policy?: (reason: FaultReason) => RetryDecision;
  /** A session that lasted this long counts as progress (for sessions without a unit of work to count). */
  readonly progressAfterMs?: number;
}

/** What a session tells the loop: it made progress (a committed batch), so the backoff starts over. */
export interface SessionProgress {
  readonly made: () => void;
}

/** Consecutive failed sessions since the last progress: how long the next wait is. */
class FailureCount implements SessionProgress {
  #failures = 0;
  #progressed = false;

  readonly made = () => {
    this.#progressed = true;
  };

  /** Counts a failure; returns how many in a row (1 after progress). */
  failed(): number {
    this.#failures = this.#progressed ? 1 : this.#failures + 1;
    this.#progressed = false;
    return this.#failures;
  }
}

const renewWith = <R>(
  renew: SessionLoopOptions<R>["renew"],
  renewals: readonly Renewal[],
): Effect.Effect<void, never, R> => {
  if (!renew) return Effect.void;
  return Effect.suspend(() => {
    const result = renew(renewals);
    return Effect.isEffect(result) ? result : Effect.promise(() => result);
  });
};

/** Runs `session` forever; fails only with a fault the policy stops on. */
export const sessionLoop = <E, R, R2 = never>(
  session: (progress: SessionProgress) => Effect.Effect<unknown, E, R>,
  options: SessionLoopOptions<R2>,
): Effect.Effect<never, StageFault, R | R2> =>
  Effect.suspend(() => {
    const count = new FailureCount();
    const classify = options.classify ?? classifyFault;
    const policy = options.policy ?? retryPolicy;
    const onFailure = (error: unknown, startedAt: number) =>
      Effect.gen(function* () {
        const fault = classify(error);
        yield* reportFault(options.health, fault, options.what);
        const decision = policy(fault.reason);
        if (decision._tag === "Stop") return yield* Effect.fail(fault);
        yield* renewWith(options.renew, decision.renew);
        const now = yield* Clock.currentTimeMillis;
        if (options.progressAfterMs !== undefined && now - startedAt >= options.progressAfterMs) count.made();
        const failures = count.failed();
        yield* Effect.sleep(`${backoffDelayMs(failures - 1, options.retry)} millis`);
      });
    const once = Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis;
      // Only failures: a defect or an interruption ends the loop (and the stage) as it is.
      yield* session(count).pipe(Effect.catch((error: unknown) => onFailure(error, startedAt)));
    });
    return Effect.forever(once);
  });
