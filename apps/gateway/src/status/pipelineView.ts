// From what the stages answer on /ready (or fail to) and their consumer lag to the pipeline's state:
// pure, so the rules are unit-tested and the route only gathers the inputs.
import type { PipelineStatus, StageInstance, StageStatus } from "@ledgerline/contracts";

/** What one stage instance said on GET /ready, or that it did not answer. */
export type Probe =
  | { readonly _tag: "Answered"; readonly url: string; readonly report: ReadinessAnswer }
  | { readonly _tag: "Unreachable"; readonly url: string; readonly error: string };

/** The shape of @ledgerline/observability's ReadinessReport, as read off the wire. */
export interface ReadinessAnswer {
  readonly status?: unknown;
  readonly pid?: unknown;
  readonly startedAt?: unknown;
  readonly components?: Record<string, Record<string, unknown>>;
}

export interface LagOf {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

const componentDetail = (name: string, component: Record<string, unknown>): string =>
  component.state === "retrying"
    ? `${name}: ${String(component.reason)} (${Number(component.attempts ?? 1)} attempts since ${String(component.since)}): ${String(component.message ?? "").slice(0, 200)}`
    : `${name}: ${String(component.state)}${component.detail ? ` (${String(component.detail)})` : ""}`;

export const instanceView = (probe: Probe): StageInstance => {
  if (probe._tag === "Unreachable") return { url: probe.url, state: "down", detail: probe.error };
  const { report } = probe;
  const components = report.components ?? {};
  const entries = Object.entries(components);
  const retrying = entries.filter(([, c]) => c.state === "retrying");
  const waiting = entries.filter(([, c]) => c.state !== "ready");
  const state = report.status === "ready" ? "ready" : retrying.length > 0 ? "retrying" : "starting";
  const detail = (retrying.length > 0 ? retrying : waiting).map(([n, c]) => componentDetail(n, c)).join("; ");
  return {
    url: probe.url,
    state,
    ...(detail ? { detail } : {}),
    ...(typeof report.pid === "number" ? { pid: report.pid } : {}),
    ...(typeof report.startedAt === "string" ? { started_at: report.startedAt } : {}),
    components,
  };
};

export const stageView = (
  stage: string,
  probes: readonly Probe[],
  lag: readonly LagOf[] | null,
): StageStatus => {
  const instances = probes.map(instanceView);
  const down = instances.filter((i) => i.state === "down").length;
  const state =
    instances.length > 0 && instances.every((i) => i.state === "ready")
      ? "ready"
      : down === instances.length
        ? "down"
        : instances.some((i) => i.state === "retrying")
          ? "retrying"
          : instances.some((i) => i.state === "starting")
            ? "starting"
            : "degraded";
  const detail = instances
    .filter((i) => i.state !== "ready" && i.detail)
    .map((i) => `${i.url}: ${i.detail}`)
    .join("; ");
  return {
    stage,
    state,
    ...(detail ? { detail } : {}),
    instances,
    lag: lag ? { total: lag.reduce((sum, p) => sum + p.lag, 0), partitions: [...lag] } : null,
  };
};

/** Flowing when every stage is ready; anything else is degraded (the stage says why). */
export const pipelineView = (stages: readonly StageStatus[], now: Date): PipelineStatus => ({
  status: stages.every((s) => s.state === "ready") ? "flowing" : "degraded",
  checked_at: now.toISOString(),
  stages: [...stages],
});
