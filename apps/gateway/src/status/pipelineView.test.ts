import { describe, expect, it } from "vitest";
import { instanceView, type Probe, pipelineView, stageView } from "./pipelineView.ts";

const ready: Probe = {
  _tag: "Answered",
  url: "http://127.0.0.1:9464",
  report: {
    status: "ready",
    pid: 42,
    components: { processor: { state: "ready" }, "fx-table": { state: "ready" } },
  },
};
const retrying: Probe = {
  _tag: "Answered",
  url: "http://127.0.0.1:9466",
  report: {
    status: "not_ready",
    pid: 43,
    components: {
      processor: {
        state: "retrying",
        reason: "CoordinatorUnavailable",
        message: "NOT_COORDINATOR",
        attempts: 3,
        since: "t0",
      },
      "fx-table": { state: "ready" },
    },
  },
};
const down: Probe = { _tag: "Unreachable", url: "http://127.0.0.1:9465", error: "ECONNREFUSED" };

describe("pipeline status", () => {
  it("names the component that is retrying and why", () => {
    const view = instanceView(retrying);
    expect(view.state).toBe("retrying");
    expect(view.detail).toContain("processor: CoordinatorUnavailable (3 attempts");
  });

  it("a stage is ready only when every instance is; down when none answers", () => {
    expect(stageView("processor", [ready], null).state).toBe("ready");
    expect(stageView("processor", [ready, retrying], null).state).toBe("retrying");
    expect(stageView("processor", [ready, down], null).state).toBe("degraded");
    expect(stageView("ledger-sink", [down], null).state).toBe("down");
    expect(stageView("ledger-sink", [], null).state).toBe("down");
  });

  it("sums the lag of the stage's partitions", () => {
    const lag = [
      { topic: "requested", partition: 0, lag: 5 },
      { topic: "requested", partition: 1, lag: 7 },
    ];
    expect(stageView("processor", [ready], lag).lag).toEqual({ total: 12, partitions: lag });
  });

  it("the pipeline flows only when every stage is ready", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(pipelineView([stageView("processor", [ready], null)], now).status).toBe("flowing");
    expect(
      pipelineView([stageView("processor", [ready], null), stageView("ledger-sink", [down], null)], now)
        .status,
    ).toBe("degraded");
  });
});
