// Where the pipeline stands against each objective the alert rules hold it to (thresholds.ts), from what
// the gateway sees: the console's samples of the stages' /metrics.json (the series the alerts read) and
// lag, GET /status and its own dependency checks. Pure: the service gathers, this decides. A value the gateway
// cannot know is NotMeasured with the reason, never a guess.
import type { ConsoleData, ConsoleObjective, PipelineStatus } from "@ledgerline/contracts";
import { histogramQuantile, increase, latencyBuckets, type Sample } from "../console/consoleView.ts";
import { OBJECTIVES, type ObjectiveId } from "./thresholds.ts";

export type Verdict =
  | { readonly _tag: "Met"; readonly value: number; readonly text: string }
  | { readonly _tag: "Breached"; readonly value: number; readonly text: string }
  | { readonly _tag: "NotMeasured"; readonly reason: string };

export interface Objective {
  readonly id: ObjectiveId;
  /** The stage, topic or reason, when the objective is judged for each. */
  readonly subject: string | null;
  readonly verdict: Verdict;
}

/** One of the gateway's own dependency checks. */
export type Reachability = { readonly status: "up" } | { readonly status: "down"; readonly detail: string };

export interface ObjectiveInputs {
  /** The console's samples, oldest first. */
  readonly samples: readonly Sample[];
  readonly pipeline: PipelineStatus;
  /** The outbox as the ledger sink last sampled it (its gauges); null when no sink answered. */
  readonly outbox: ConsoleData["outbox"];
  readonly registry: Reachability;
  readonly database: Reachability;
}

const met = (value: number, text: string): Verdict => ({ _tag: "Met", value, text });
const breached = (value: number, text: string): Verdict => ({ _tag: "Breached", value, text });
const notMeasured = (reason: string): Verdict => ({ _tag: "NotMeasured", reason });
const COLLECTING = "collecting: the console samples the stages every 2 s from its first request on";

export const secondsText = (s: number): string =>
  s < 1 ? `${Math.round(s * 1000)} ms` : s < 120 ? `${Number(s.toFixed(1))} s` : `${Math.round(s / 60)} min`;

/** The samples of the last `seconds` before the newest. */
const within = (samples: readonly Sample[], seconds: number): readonly Sample[] => {
  const last = samples.at(-1);
  return last ? samples.filter((s) => last.at - s.at <= seconds * 1_000) : [];
};
const spanOf = (window: readonly Sample[]) => ((window.at(-1)?.at ?? 0) - (window[0]?.at ?? 0)) / 1_000;

const acceptToPosted = (samples: readonly Sample[]): Verdict => {
  const { quantile, maxSeconds, windowSeconds } = OBJECTIVES.acceptToPosted;
  const window = within(samples, windowSeconds);
  if (window.length < 2) return notMeasured(COLLECTING);
  const buckets = latencyBuckets(window);
  const count = buckets.at(-1)?.[1] ?? 0;
  const p = histogramQuantile(quantile, buckets);
  const span = secondsText(spanOf(window));
  if (p === null || count === 0)
    return notMeasured(`no transaction posted in the last ${span}, or no ledger sink answered /metrics.json`);
  const text = `${secondsText(p)} (${count} posted in the last ${span})`;
  return p > maxSeconds ? breached(p, text) : met(p, text);
};

const consumerLag = (samples: readonly Sample[]): Objective[] => {
  const { maxRecords, windowSeconds } = OBJECTIVES.consumerLag;
  const window = within(samples, windowSeconds);
  const last = window.at(-1);
  const one = (verdict: Verdict): Objective[] => [{ id: "consumerLag", subject: null, verdict }];
  if (!last) return one(notMeasured(COLLECTING));
  if (last.lag === null) return one(notMeasured("Kafka did not answer the consumer-lag query"));
  if (last.lag.size === 0) return one(notMeasured("no consumer group has committed offsets yet"));
  return [...last.lag].map(([subject, lag]) => {
    const first = window.find((s) => s.lag?.has(subject));
    const span = first ? (last.at - first.at) / 1_000 : 0;
    const growth = lag - (first?.lag?.get(subject) ?? lag);
    const verdict =
      lag <= maxRecords
        ? met(lag, `${lag} records`)
        : span === 0
          ? notMeasured(
              `${lag} records, over ${maxRecords}: whether it grows needs more samples (${COLLECTING})`,
            )
          : growth > 0
            ? breached(lag, `${lag} records, up ${growth} in the last ${secondsText(span)}`)
            : met(lag, `${lag} records, not growing over the last ${secondsText(span)}`);
    return { id: "consumerLag", subject, verdict };
  });
};

const deadLetters = (samples: readonly Sample[]): Objective[] => {
  const { maxRecords, windowSeconds } = OBJECTIVES.deadLetters;
  const window = within(samples, windowSeconds);
  const last = window.at(-1);
  const one = (verdict: Verdict): Objective[] => [{ id: "deadLetters", subject: null, verdict }];
  if (!last || window.length < 2) return one(notMeasured(COLLECTING));
  if (![...last.sources.keys()].some((source) => source !== "gateway"))
    return one(notMeasured("no stage answered /metrics.json (the stages listed in GATEWAY_STAGE_ENDPOINTS)"));
  // Each process from its first reading in the window; a series absent there was not yet counted (0).
  const counted = new Map<string, number>();
  for (const [source, reading] of last.sources) {
    const first = window.find((s) => s.sources.has(source));
    if (!first || first === last) continue;
    const before = first.sources.get(source)?.deadLetters ?? {};
    for (const [key, value] of Object.entries(reading.deadLetters))
      counted.set(key, (counted.get(key) ?? 0) + increase(before[key] ?? 0, value));
  }
  const span = secondsText(spanOf(window));
  const over = [...counted].filter(([, n]) => n > maxRecords);
  if (over.length === 0) return one(met(0, `none in the last ${span}`));
  return over.map(([subject, n]) => ({
    id: "deadLetters",
    subject,
    verdict: breached(n, `${n} in the last ${span}`),
  }));
};

const outbox = (now: ConsoleData["outbox"]): Objective[] => {
  if (now === null) {
    const verdict = notMeasured("no ledger sink answered /metrics.json (the sink samples the outbox)");
    return [
      { id: "outboxAge", subject: null, verdict },
      { id: "outboxParked", subject: null, verdict },
    ];
  }
  const oldest = now.oldest_unpublished_seconds;
  const age = `${secondsText(oldest)} (${now.backlog} waiting)`;
  return [
    {
      id: "outboxAge",
      subject: null,
      verdict:
        oldest > OBJECTIVES.outboxAge.maxSeconds
          ? breached(oldest, age)
          : met(oldest, now.backlog === 0 ? "nothing waiting" : age),
    },
    {
      id: "outboxParked",
      subject: null,
      verdict:
        now.parked > OBJECTIVES.outboxParked.maxEvents
          ? breached(now.parked, `${now.parked} parked`)
          : met(now.parked, "none parked"),
    },
  ];
};

const partitionBlocked = (samples: readonly Sample[]): Verdict => {
  const sinks = [...(samples.at(-1)?.sources.values() ?? [])].flatMap((r) => (r.blocked ? [r.blocked] : []));
  if (sinks.length === 0) return notMeasured("no ledger sink answered /metrics.json");
  const blocked = sinks.flat();
  return blocked.length === 0
    ? met(0, "none")
    : breached(blocked.length, blocked.map((b) => `${b.topic}[${b.partition}]: ${b.reason}`).join(", "));
};

const stageReady = (pipeline: PipelineStatus): Objective[] =>
  pipeline.stages.map((stage) => {
    const ready = stage.instances.filter((i) => i.state === "ready").length;
    const of = `${ready} of ${stage.instances.length} instances ready`;
    const verdict =
      stage.instances.length === 0
        ? notMeasured("no endpoint of it in GATEWAY_STAGE_ENDPOINTS")
        : stage.state === "ready"
          ? met(ready, of)
          : breached(ready, `${stage.state}: ${of}${stage.detail ? `; ${stage.detail.slice(0, 300)}` : ""}`);
    return { id: "stageReady", subject: stage.stage, verdict };
  });

/** Who cannot reach a dependency: the gateway's own check, and every stage instance retrying its fault. */
const reachable = (
  gateway: Reachability,
  pipeline: PipelineStatus,
  fault: string,
  component?: string,
): Verdict => {
  const failing = [
    ...(gateway.status === "down" ? [`gateway: ${gateway.detail}`] : []),
    ...pipeline.stages.flatMap((stage) =>
      stage.instances.flatMap((instance) =>
        Object.entries(instance.components ?? {})
          .filter(([name, c]) => c.reason === fault || (name === component && c.state !== "ready"))
          .map(([name, c]) => `${stage.stage} ${instance.url} ${name}: ${String(c.message ?? c.state)}`),
      ),
    ),
  ];
  return failing.length === 0
    ? met(0, "reachable from the gateway and every stage that answered")
    : breached(failing.length, failing.join("; ").slice(0, 500));
};

/** Every objective, in the order the console lists them. */
export const objectivesOf = (inputs: ObjectiveInputs): Objective[] => [
  { id: "acceptToPosted", subject: null, verdict: acceptToPosted(inputs.samples) },
  ...stageReady(inputs.pipeline),
  ...consumerLag(inputs.samples),
  ...deadLetters(inputs.samples),
  ...outbox(inputs.outbox),
  { id: "partitionBlocked", subject: null, verdict: partitionBlocked(inputs.samples) },
  {
    id: "postgres",
    subject: null,
    verdict: reachable(inputs.database, inputs.pipeline, "DatabaseUnavailable", "database"),
  },
  {
    id: "registry",
    subject: null,
    verdict: reachable(inputs.registry, inputs.pipeline, "RegistryUnavailable"),
  },
];

const NAMES: Readonly<Record<ObjectiveId, { readonly name: string; readonly threshold: string }>> = {
  acceptToPosted: {
    name: "accept → posted, p99",
    threshold: `p${OBJECTIVES.acceptToPosted.quantile * 100} ≤ ${secondsText(OBJECTIVES.acceptToPosted.maxSeconds)} over ${secondsText(OBJECTIVES.acceptToPosted.windowSeconds)}`,
  },
  stageReady: { name: "stage ready", threshold: "every instance ready" },
  consumerLag: {
    name: "consumer lag not growing",
    threshold: `≤ ${OBJECTIVES.consumerLag.maxRecords} records, or not growing over ${secondsText(OBJECTIVES.consumerLag.windowSeconds)}`,
  },
  deadLetters: {
    name: "no dead letters",
    threshold: `${OBJECTIVES.deadLetters.maxRecords} per stage and reason in ${secondsText(OBJECTIVES.deadLetters.windowSeconds)}`,
  },
  outboxAge: {
    name: "outbox: oldest unpublished event",
    threshold: `≤ ${secondsText(OBJECTIVES.outboxAge.maxSeconds)}`,
  },
  outboxParked: { name: "outbox: parked events", threshold: `${OBJECTIVES.outboxParked.maxEvents}` },
  partitionBlocked: { name: "no blocked sink partition", threshold: "0 blocked" },
  postgres: { name: "Postgres reachable", threshold: "reachable" },
  registry: { name: "schema registry reachable", threshold: "reachable" },
};

/** GET /console/data's form of an objective. */
export const objectiveJson = ({ id, subject, verdict }: Objective): ConsoleObjective => ({
  id: id.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
  subject,
  alert: OBJECTIVES[id].alert,
  ...NAMES[id],
  ...(verdict._tag === "NotMeasured"
    ? { state: "not_measured" as const, value: null, value_text: `not measured here: ${verdict.reason}` }
    : {
        state: verdict._tag === "Met" ? ("ok" as const) : ("breached" as const),
        value: verdict.value,
        value_text: verdict.text,
      }),
});
