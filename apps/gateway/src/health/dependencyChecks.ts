// The gateway's dependency checks, run together and each bounded in time: GET /ready runs them on every
// request, GET /health reads them through a short cache so that polling it costs the dependencies nothing.
import { Clock, Duration, Effect } from "effect";
import type { ComponentStatus, Dependency, DependencyReport } from "./healthVerdict.ts";

/** One check per dependency (the services' own `check`): succeeds when the dependency answers. */
export type DependencyChecks = {
  readonly [D in Dependency]: Effect.Effect<void, { readonly detail: string }>;
};

const probe = (check: DependencyChecks[Dependency], timeoutMs: number): Effect.Effect<ComponentStatus> =>
  check.pipe(
    Effect.as<ComponentStatus>({ status: "up" }),
    Effect.catch((error) => Effect.succeed<ComponentStatus>({ status: "down", detail: error.detail })),
    // A hung dependency answers "down" in time rather than hanging the endpoint.
    Effect.timeoutOrElse({
      duration: Duration.millis(timeoutMs),
      orElse: () =>
        Effect.succeed<ComponentStatus>({ status: "down", detail: `no answer within ${timeoutMs} ms` }),
    }),
  );

/** Every dependency checked at once, each within `timeoutMs`; never fails. */
export const checkDependencies = (
  checks: DependencyChecks,
  timeoutMs: number,
): Effect.Effect<DependencyReport> =>
  Effect.all(
    {
      kafka: probe(checks.kafka, timeoutMs),
      schema_registry: probe(checks.schema_registry, timeoutMs),
      database: probe(checks.database, timeoutMs),
    },
    { concurrency: "unbounded" },
  );

export interface HealthSnapshot {
  readonly components: DependencyReport;
  /** When these checks finished: the answer is at most the cache's time-to-live older than the request. */
  readonly checkedAt: Date;
}

/**
 * The checks run at most once per `ttlMs` however often they are asked for; callers that arrive while a
 * check runs share it. Built once per app (the returned effect holds the cache).
 */
export const cachedDependencyChecks = (
  checks: DependencyChecks,
  options: { readonly timeoutMs: number; readonly ttlMs: number },
): Effect.Effect<Effect.Effect<HealthSnapshot>> =>
  Effect.cachedWithTTL(
    Effect.gen(function* () {
      const components = yield* checkDependencies(checks, options.timeoutMs);
      return { components, checkedAt: new Date(yield* Clock.currentTimeMillis) };
    }),
    Duration.millis(options.ttlMs),
  );
