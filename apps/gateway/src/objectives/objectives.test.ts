import type { PipelineStatus, StageStatus } from "@ledgerline/contracts";
import { describe, expect, it } from "vitest";
import { deadLetterKey, lagKey, type Sample, type SourceReading } from "../console/consoleView.ts";
import { type ObjectiveInputs, objectiveJson, objectivesOf, type Verdict } from "./objectives.ts";
import { OBJECTIVES } from "./thresholds.ts";

const INF = Number.POSITIVE_INFINITY;
const reading = (over: Partial<SourceReading> = {}): SourceReading => ({
  flows: { gateway: 0, processor: 0, "ledger-sink": 0, "outbox-relay": 0 },
  latency: [],
  outbox: null,
  deadLetters: {},
  blocked: null,
  ...over,
});
const sample = (at: number, sources: Record<string, SourceReading>, lag: [string, number][] | null = []) => ({
  at,
  sources: new Map(Object.entries(sources)),
  lag: lag && new Map(lag),
});
const stage = (name: string, over: Partial<StageStatus> = {}): StageStatus => ({
  stage: name,
  state: "ready",
  instances: [{ url: `http://${name}`, state: "ready", components: { [name]: { state: "ready" } } }],
  lag: null,
  ...over,
});
const pipeline = (...stages: StageStatus[]): PipelineStatus => ({
  status: "flowing",
  checked_at: "2026-01-01T00:00:00.000Z",
  stages,
});
const healthy: ObjectiveInputs = {
  samples: [],
  pipeline: pipeline(stage("gateway"), stage("processor")),
  outbox: { backlog: 0, oldest_unpublished_seconds: 0, parked: 0 },
  registry: { status: "up" },
  database: { status: "up" },
};
const verdicts = (inputs: Partial<ObjectiveInputs>, id: string) =>
  objectivesOf({ ...healthy, ...inputs })
    .filter((o) => o.id === id)
    .map((o) => ({ subject: o.subject, verdict: o.verdict }));
const tagOf = (inputs: Partial<ObjectiveInputs>, id: string): Verdict["_tag"][] =>
  verdicts(inputs, id).map((v) => v.verdict._tag);
const sink = (over: Partial<SourceReading> = {}) => reading({ blocked: [], ...over });

describe("objectives", () => {
  it("are not measured before the console has two samples, and say why", () => {
    const objectives = objectivesOf(healthy);
    for (const id of ["acceptToPosted", "consumerLag", "deadLetters", "partitionBlocked"] as const) {
      const verdict = objectives.find((o) => o.id === id)?.verdict;
      expect(verdict?._tag, id).toBe("NotMeasured");
      expect(verdict?._tag === "NotMeasured" && verdict.reason, id).toMatch(/collecting|no ledger sink/);
    }
  });

  it("judge accept→posted p99 against the alert's bound, over the window's increase", () => {
    const fast: [number, number][] = [
      [0.1, 100],
      [1, 100],
      [INF, 100],
    ];
    const slow: [number, number][] = [
      [0.1, 10],
      [1, 50],
      [10, 100],
      [INF, 100],
    ];
    const at = (latency: [number, number][]) => [
      sample(0, { s: sink() }),
      sample(60_000, { s: sink({ latency }) }),
    ];
    expect(tagOf({ samples: at(fast) }, "acceptToPosted")).toEqual(["Met"]);
    const [breached] = verdicts({ samples: at(slow) }, "acceptToPosted");
    expect(breached?.verdict).toMatchObject({
      _tag: "Breached",
      text: expect.stringContaining("100 posted"),
    });
    expect(breached?.verdict._tag === "Breached" && breached.verdict.value).toBeGreaterThan(
      OBJECTIVES.acceptToPosted.maxSeconds,
    );
    // Nothing posted in the window: no percentile to show.
    expect(
      tagOf({ samples: [sample(0, { s: sink() }), sample(2_000, { s: sink() })] }, "acceptToPosted"),
    ).toEqual(["NotMeasured"]);
  });

  it("breach lag only over the alert's records and growing; one row per stage and topic", () => {
    const key = lagKey("ledger-sink", "validated");
    const other = lagKey("processor", "requested");
    const over = OBJECTIVES.consumerLag.maxRecords + 500;
    const lagAt = (first: number, last: number) => [
      sample(0, {}, [
        [key, first],
        [other, 3],
      ]),
      sample(30_000, {}, [
        [key, last],
        [other, 2],
      ]),
    ];
    expect(tagOf({ samples: lagAt(over, over + 10) }, "consumerLag")).toEqual(["Breached", "Met"]);
    expect(tagOf({ samples: lagAt(over + 10, over) }, "consumerLag")).toEqual(["Met", "Met"]);
    expect(tagOf({ samples: lagAt(10, 900) }, "consumerLag")).toEqual(["Met", "Met"]);
    // Over the bound with one sample: growth unknown.
    expect(tagOf({ samples: [sample(0, {}, [[key, over]])] }, "consumerLag")).toEqual(["NotMeasured"]);
    expect(verdicts({ samples: [sample(0, {}, null)] }, "consumerLag")[0]?.verdict).toEqual({
      _tag: "NotMeasured",
      reason: "Kafka did not answer the consumer-lag query",
    });
    // Lag older than the alert's window does not count as the start.
    const old = [sample(-700_000, {}, [[key, 0]]), ...lagAt(over, over)];
    expect(tagOf({ samples: old }, "consumerLag")).toEqual(["Met", "Met"]);
  });

  it("breach per stage and reason for records dead-lettered in the window, across a restart", () => {
    const unknown = deadLetterKey("ledger-sink", "UNKNOWN_ACCOUNT");
    const wire = deadLetterKey("processor", "NOT_WIRE_FORMAT");
    const samples: Sample[] = [
      sample(0, { gateway: reading(), s: sink({ deadLetters: { [unknown]: 5 } }), p: reading() }),
      // The sink restarted (its counter starts again); the processor counted its first NOT_WIRE_FORMAT.
      sample(60_000, {
        gateway: reading(),
        s: sink({ deadLetters: { [unknown]: 2 } }),
        p: reading({ deadLetters: { [wire]: 1 } }),
      }),
    ];
    expect(verdicts({ samples }, "deadLetters")).toEqual([
      { subject: unknown, verdict: { _tag: "Breached", value: 2, text: "2 in the last 60 s" } },
      { subject: wire, verdict: { _tag: "Breached", value: 1, text: "1 in the last 60 s" } },
    ]);
    const quiet = [
      sample(0, { gateway: reading(), s: sink() }),
      sample(2_000, { gateway: reading(), s: sink() }),
    ];
    expect(verdicts({ samples: quiet }, "deadLetters")).toEqual([
      { subject: null, verdict: { _tag: "Met", value: 0, text: "none in the last 2 s" } },
    ]);
    const gatewayOnly = [sample(0, { gateway: reading() }), sample(2_000, { gateway: reading() })];
    expect(tagOf({ samples: gatewayOnly }, "deadLetters")).toEqual(["NotMeasured"]);
  });

  it("judge the outbox by the sink's oldest unpublished age and parked events", () => {
    const maxAge = OBJECTIVES.outboxAge.maxSeconds;
    expect(tagOf({}, "outboxAge")).toEqual(["Met"]);
    expect(
      tagOf({ outbox: { backlog: 3, oldest_unpublished_seconds: maxAge + 1, parked: 0 } }, "outboxAge"),
    ).toEqual(["Breached"]);
    expect(
      tagOf({ outbox: { backlog: 3, oldest_unpublished_seconds: 2, parked: 1 } }, "outboxParked"),
    ).toEqual(["Breached"]);
    expect(verdicts({ outbox: null }, "outboxAge")[0]?.verdict).toEqual({
      _tag: "NotMeasured",
      reason: "no ledger sink answered /metrics.json (the sink samples the outbox)",
    });
    expect(tagOf({ outbox: null }, "outboxParked")).toEqual(["NotMeasured"]);
  });

  it("breach on a blocked sink partition, from the newest sample's sinks", () => {
    const blocked = sink({ blocked: [{ topic: "validated", partition: 3, reason: "RetentionGap" }] });
    expect(verdicts({ samples: [sample(0, { s: blocked })] }, "partitionBlocked")[0]?.verdict).toEqual({
      _tag: "Breached",
      value: 1,
      text: "validated[3]: RetentionGap",
    });
    expect(tagOf({ samples: [sample(0, { s: sink() })] }, "partitionBlocked")).toEqual(["Met"]);
    expect(tagOf({ samples: [sample(0, { p: reading() })] }, "partitionBlocked")).toEqual(["NotMeasured"]);
  });

  it("judge each stage's readiness; a stage without endpoints is not measured", () => {
    const down = stage("processor", {
      state: "down",
      detail: "http://processor: connection refused",
      instances: [{ url: "http://processor", state: "down", detail: "connection refused" }],
    });
    const none = stage("outbox-relay", { state: "down", instances: [] });
    expect(verdicts({ pipeline: pipeline(stage("gateway"), down, none) }, "stageReady")).toEqual([
      { subject: "gateway", verdict: { _tag: "Met", value: 1, text: "1 of 1 instances ready" } },
      {
        subject: "processor",
        verdict: {
          _tag: "Breached",
          value: 0,
          text: "down: 0 of 1 instances ready; http://processor: connection refused",
        },
      },
      {
        subject: "outbox-relay",
        verdict: { _tag: "NotMeasured", reason: "no endpoint of it in GATEWAY_STAGE_ENDPOINTS" },
      },
    ]);
  });

  it("breach a dependency that the gateway or any stage cannot reach", () => {
    expect(tagOf({}, "postgres")).toEqual(["Met"]);
    expect(tagOf({ database: { status: "down", detail: "refused" } }, "postgres")).toEqual(["Breached"]);
    const retrying = stage("processor", {
      state: "retrying",
      instances: [
        {
          url: "http://processor",
          state: "retrying",
          components: {
            processor: { state: "retrying", reason: "RegistryUnavailable", message: "503 from the registry" },
            database: { state: "ready" },
          },
        },
      ],
    });
    const inputs = { pipeline: pipeline(stage("gateway"), retrying) };
    expect(verdicts(inputs, "registry")[0]?.verdict).toEqual({
      _tag: "Breached",
      value: 1,
      text: "processor http://processor processor: 503 from the registry",
    });
    expect(tagOf(inputs, "postgres")).toEqual(["Met"]);
    const dbStarting = stage("ledger-sink", {
      instances: [{ url: "http://sink", state: "starting", components: { database: { state: "starting" } } }],
    });
    expect(tagOf({ pipeline: pipeline(dbStarting) }, "postgres")).toEqual(["Breached"]);
  });

  it("render as JSON with the alert's threshold, and 'not measured here' with the reason", () => {
    const [first] = objectivesOf(healthy).map(objectiveJson);
    expect(first).toMatchObject({
      id: "accept_to_posted",
      alert: "LedgerlineAcceptToPostedSlow",
      threshold: "p99 ≤ 1 s over 5 min",
      state: "not_measured",
      value: null,
      value_text: expect.stringMatching(/^not measured here: collecting/),
    });
    const outbox = objectivesOf(healthy)
      .map(objectiveJson)
      .find((o) => o.id === "outbox_age");
    expect(outbox).toMatchObject({ state: "ok", value: 0, value_text: "nothing waiting" });
  });
});
