// GET /console/data's objectives from a gateway on the real stack with no stage beside it: what it can
// check itself (the registry, Postgres, its own readiness) is judged, a stage that does not answer is a
// breach, and what only the stages export is "not measured here" with the reason, never a number.
import type { ConsoleData } from "@ledgerline/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTH, type Harness, startHarness } from "./harness.ts";

describe("the console's objectives", () => {
  let h: Harness;
  beforeAll(async () => {
    // Port 9 (discard) refuses: a processor that is down.
    h = await startHarness("console", {
      stageEndpoints: [{ stage: "processor", url: "http://127.0.0.1:9" }],
    });
  }, 60_000);
  afterAll(async () => h?.close());

  it("judge what the gateway can see, and say why the rest is not measured here", async () => {
    const response = await h.app.request("/console/data", { headers: AUTH });
    expect(response.status).toBe(200);
    // (Typed, not parsed: the contracts' schemas load before @hono/zod-openapi extends zod in a test.)
    const data = (await response.json()) as ConsoleData;
    const row = (id: string, subject: string | null = null) => {
      const found = data.objectives.find((o) => o.id === id && o.subject === subject);
      if (!found) throw new Error(`no ${id} ${subject ?? ""} in ${JSON.stringify(data.objectives)}`);
      return found;
    };

    expect(row("postgres")).toMatchObject({ state: "ok", alert: "LedgerlinePostgresUnreachable" });
    expect(row("registry")).toMatchObject({ state: "ok", alert: "LedgerlineRegistryUnreachable" });
    expect(row("stage_ready", "gateway")).toMatchObject({ state: "ok", value: 1 });
    expect(row("stage_ready", "processor")).toMatchObject({
      state: "breached",
      value: 0,
      value_text: expect.stringMatching(/^down: 0 of 1 instances ready/),
    });
    expect(row("stage_ready", "ledger-sink")).toMatchObject({
      state: "not_measured",
      value: null,
      value_text: "not measured here: no endpoint of it in GATEWAY_STAGE_ENDPOINTS",
    });
    // The first request takes the first sample: no window yet.
    expect(row("accept_to_posted")).toMatchObject({
      state: "not_measured",
      threshold: "p99 ≤ 1 s over 5 min",
      value_text: expect.stringMatching(/^not measured here: collecting/),
    });
    for (const id of ["outbox_age", "outbox_parked", "partition_blocked"])
      expect(row(id), id).toMatchObject({
        state: "not_measured",
        value: null,
        value_text: expect.stringContaining("no ledger sink answered /metrics.json"),
      });
    expect(row("dead_letters").state).toBe("not_measured");
    // Every objective has its alert rule's threshold and a value or a reason.
    for (const o of data.objectives) {
      expect(o.threshold, o.id).toBeTruthy();
      expect(o.value_text, o.id).toBeTruthy();
      expect(o.value === null, o.id).toBe(o.state === "not_measured");
    }
  });
});
