// Runs an effect until it succeeds, retrying every fault the policy calls transient with the shared
// backoff, without limit; a fatal fault fails the effect with its StageFault.
import type { ComponentHealth } from "@ledgerline/observability";
import { Effect } from "effect";
import { type BackoffOptions, backoff } from "./backoff.ts";
import { classifyFault } from "./classifyFault.ts";
import { reportFault } from "./reportFault.ts";
import { isRetryable } from "./retryPolicy.ts";
import type { StageFault } from "./StageFault.ts";

export interface RetryTransientOptions extends BackoffOptions {
  readonly health: ComponentHealth;
  /** What is being attempted, for the log line ("load the FX table"). */
  readonly what: string;
}

export const retryTransient =
  (options: RetryTransientOptions) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, StageFault, R> =>
    effect.pipe(
      Effect.mapError(classifyFault),
      Effect.tapError((fault) => reportFault(options.health, fault, options.what)),
      Effect.retry({ schedule: backoff(options), while: (fault) => isRetryable(fault.reason) }),
    );

/** A promise-returning call as an effect whose rejection is classified (for `retryTransient`). */
export const attempt = <A>(call: () => Promise<A>): Effect.Effect<A, StageFault> =>
  Effect.tryPromise({ try: call, catch: classifyFault });
