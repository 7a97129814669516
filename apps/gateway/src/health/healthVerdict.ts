// GET /health's and GET /ready's decision: from each dependency's check result to Healthy | Degraded,
// the HTTP status and the body. Pure, no I/O; the checks themselves are in dependencyChecks.ts.

/** The gateway's dependencies, named as the response's `components` keys. */
export const DEPENDENCIES = ["kafka", "schema_registry", "database"] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** One dependency's check result; `detail` says why it is down (internal text: addresses, versions). */
export type ComponentStatus =
  | { readonly status: "up" }
  | { readonly status: "down"; readonly detail: string };
export type DependencyReport = { readonly [D in Dependency]: ComponentStatus };

export type HealthVerdict =
  | { readonly _tag: "Healthy"; readonly components: DependencyReport }
  | {
      readonly _tag: "Degraded";
      readonly components: DependencyReport;
      readonly down: readonly Dependency[];
    };

/** Healthy when every dependency answered; otherwise Degraded, naming the ones that did not. */
export const decideHealth = (components: DependencyReport): HealthVerdict => {
  const down = DEPENDENCIES.filter((name) => components[name].status === "down");
  return down.length === 0 ? { _tag: "Healthy", components } : { _tag: "Degraded", components, down };
};

/** 200 when every dependency is up, 503 (the service cannot do its work) when one is down. */
export const httpStatusOf = (verdict: HealthVerdict): 200 | 503 => (verdict._tag === "Healthy" ? 200 : 503);

export const statusOf = (verdict: HealthVerdict): "ok" | "degraded" =>
  verdict._tag === "Healthy" ? "ok" : "degraded";

/** Each component's state without its detail: error texts describe internals, only an ops key sees them. */
const withoutDetail = (components: DependencyReport) =>
  Object.fromEntries(DEPENDENCIES.map((name) => [name, { status: components[name].status }]));

/**
 * GET /health's body: the API (answering, so up) and each dependency's state, as seed 000 lists them,
 * with when the (cached) checks ran. Details only with an ops key.
 */
export const healthBody = (verdict: HealthVerdict, checkedAt: Date, withDetails: boolean) => ({
  status: statusOf(verdict),
  checked_at: checkedAt.toISOString(),
  components: {
    api: { status: "up" as const },
    ...(withDetails ? verdict.components : withoutDetail(verdict.components)),
  },
});
