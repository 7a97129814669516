// The console's thresholds are the alert rules' numbers: this fails when ops/prometheus/alerts.yml and
// OBJECTIVES disagree (a threshold, a quantile or a window changed on one side only).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { OBJECTIVES } from "./thresholds.ts";

const RULES = resolve(import.meta.dirname, "../../../../ops/prometheus/alerts.yml");
const rules = (
  parse(readFileSync(RULES, "utf8")) as { groups: { rules: { alert?: string; expr?: string }[] }[] }
).groups.flatMap((group) => group.rules);

const exprOf = (alert: string): string => {
  const expr = rules.find((rule) => rule.alert === alert)?.expr;
  if (expr === undefined) throw new Error(`${alert} is not in ops/prometheus/alerts.yml`);
  return expr;
};
/** The right-hand numbers of the expression's `>` comparisons, in order. */
const over = (expr: string) => [...expr.matchAll(/(?<![<>=!])>\s*([\d.]+)/g)].map((m) => Number(m[1]));
const SECONDS = { s: 1, m: 60, h: 3_600 } as const;
/** Every range selector's and offset's duration, in seconds. */
const windows = (expr: string) =>
  [...expr.matchAll(/(?:\[|offset\s+)(\d+)([smh])\]?/g)].map(
    (m) => Number(m[1]) * SECONDS[m[2] as keyof typeof SECONDS],
  );

describe("the console's objectives", () => {
  it("name alert rules that exist", () => {
    for (const objective of Object.values(OBJECTIVES)) expect(() => exprOf(objective.alert)).not.toThrow();
  });

  it("hold accept→posted to the alert's quantile, bound and window", () => {
    const { alert, quantile, maxSeconds, windowSeconds } = OBJECTIVES.acceptToPosted;
    const expr = exprOf(alert);
    expect(Number(/histogram_quantile\(\s*([\d.]+)/.exec(expr)?.[1])).toBe(quantile);
    expect(over(expr)).toEqual([maxSeconds]);
    expect(new Set(windows(expr))).toEqual(new Set([windowSeconds]));
  });

  it("call lag a breach over the alert's records, growing over its window", () => {
    const { alert, maxRecords, windowSeconds } = OBJECTIVES.consumerLag;
    const expr = exprOf(alert);
    expect(over(expr)).toEqual([maxRecords, 0]);
    expect(expr).toContain("delta(");
    expect(new Set(windows(expr))).toEqual(new Set([windowSeconds]));
  });

  it("count dead letters over the alert's window", () => {
    const { alert, maxRecords, windowSeconds } = OBJECTIVES.deadLetters;
    const expr = exprOf(alert);
    expect(over(expr)).toEqual([maxRecords]);
    expect(new Set(windows(expr))).toEqual(new Set([windowSeconds]));
  });

  it("bound the outbox's oldest unpublished age and its parked events as the alerts do", () => {
    expect(over(exprOf(OBJECTIVES.outboxAge.alert))).toEqual([OBJECTIVES.outboxAge.maxSeconds]);
    expect(exprOf(OBJECTIVES.outboxAge.alert)).toContain("ledgerline_outbox_oldest_unpublished_age_seconds");
    expect(over(exprOf(OBJECTIVES.outboxParked.alert))).toEqual([OBJECTIVES.outboxParked.maxEvents]);
    expect(exprOf(OBJECTIVES.outboxParked.alert)).toContain("ledgerline_outbox_parked_events");
  });

  it("read blocked partitions, stage readiness and the dependencies from the alerts' series", () => {
    expect(exprOf(OBJECTIVES.partitionBlocked.alert)).toContain("ledgerline_sink_partition_blocked");
    expect(exprOf(OBJECTIVES.stageReady.alert)).toContain("ledgerline_stage_ready");
    expect(exprOf(OBJECTIVES.postgres.alert)).toContain('reason="DatabaseUnavailable"');
    expect(exprOf(OBJECTIVES.registry.alert)).toContain('reason="RegistryUnavailable"');
  });
});
