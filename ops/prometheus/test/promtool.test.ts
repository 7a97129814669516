// The alert rules pass `promtool check rules` and their unit tests (`promtool test rules`: each rule fired
// and not fired), and every rule links a runbook that exists. ops/bin/promtool.sh installs promtool if needed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { metrics } from "@ledgerline/observability";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../../..");
const RULES = "ops/prometheus/alerts.yml";
const TESTS = "ops/prometheus/test/alerts.test.yml";

interface Rule {
  readonly alert?: string;
  readonly expr?: string;
  readonly annotations?: Record<string, string>;
}
interface Panel {
  readonly targets?: { readonly expr: string }[];
  readonly fieldConfig?: {
    readonly defaults?: { readonly thresholds?: { readonly steps: { value: number | null }[] } };
  };
}
const rules: readonly Rule[] = (
  parse(readFileSync(resolve(root, RULES), "utf8")) as { groups: { rules: Rule[] }[] }
).groups.flatMap((group) => group.rules);

let promtool = "";
const run = (...args: string[]) => {
  const result = spawnSync(promtool, args, { cwd: root, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}${result.error ?? ""}` };
};

describe("alert rules", () => {
  // A fresh machine installs Debian's prometheus package first: allow for apt.
  beforeAll(() => {
    promtool = execFileSync("bash", ["ops/bin/promtool.sh"], { cwd: root, encoding: "utf8" }).trim();
  }, 600_000);

  it("pass promtool check rules", () => {
    const result = run("check", "rules", RULES);
    expect(result.status, result.output).toBe(0);
  });

  it("are loaded by prometheus.yml, which promtool accepts", () => {
    const result = run("check", "config", "ops/prometheus/prometheus.yml");
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain("1 rule files found");
  });

  it("pass their promtool unit tests", () => {
    const result = run("test", "rules", TESTS);
    expect(result.status, result.output).toBe(0);
  });

  it("each have a unit test, a summary, a description and a runbook that exists", () => {
    const tests = readFileSync(resolve(root, TESTS), "utf8");
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.alert, "only alerting rules").toBeDefined();
      expect(tests, `a test of ${rule.alert}`).toContain(`alertname: ${rule.alert}\n`);
      expect(rule.annotations?.summary, `${rule.alert}'s summary`).toBeTruthy();
      expect(rule.annotations?.description, `${rule.alert}'s description`).toBeTruthy();
      const runbook = rule.annotations?.runbook_url ?? "";
      expect(runbook, `${rule.alert}'s runbook_url`).toMatch(/^docs\/runbooks\/[a-z-]+\.md$/);
      expect(existsSync(resolve(root, runbook)), `${runbook} exists`).toBe(true);
    }
  });

  it("have their objectives drawn on the Grafana dashboard, at the same values", () => {
    const panels = (
      JSON.parse(readFileSync(resolve(root, "ops/grafana/dashboards/ledgerline.json"), "utf8")) as {
        panels: Panel[];
      }
    ).panels;
    for (const [alert, metric] of [
      ["LedgerlineAcceptToPostedSlow", "ledgerline_accept_to_posted_seconds"],
      ["LedgerlineOutboxStale", "ledgerline_outbox_oldest_unpublished_age_seconds"],
      ["LedgerlineSupervisorCrashLoop", "ledgerline_supervisor_restarts_total"],
    ] as const) {
      const objective = Number(
        />=?\s*([\d.]+)\s*$/.exec(rules.find((r) => r.alert === alert)?.expr ?? "")?.[1],
      );
      const panel = panels.find((p) => p.targets?.some((t) => t.expr.includes(metric)));
      const steps = panel?.fieldConfig?.defaults?.thresholds?.steps ?? [];
      expect(steps.at(-1)?.value, `${alert}'s objective on the dashboard`).toBe(objective);
    }
  });

  it.each([RULES, "ops/grafana/dashboards/ledgerline.json"])(
    "%s reads only metrics the stages define (packages/observability/src/metrics.ts)",
    (file) => {
      const defined = new Set(
        Object.values(metrics).map((metric) => (metric as unknown as { name: string }).name),
      );
      const used = readFileSync(resolve(root, file), "utf8").match(/\bledgerline_[a-z_]+/g) ?? [];
      expect(used.length).toBeGreaterThan(0);
      for (const name of used) expect(defined, name).toContain(name.replace(/_(bucket|count|sum)$/, ""));
    },
  );
});
