// What a benchmark run is told: its command-line flags (no environment is read: the run starts a pipeline
// of its own and sets that pipeline's environment itself).
import { parseArgs } from "node:util";

export type Kind = "single" | "batch";

/**
 * Whose accounts the bodies move (ops/k6/bench.js's MIX). `spread`: the PaySim sample's rows as they are
 * (626 customers, 192 merchants; 59% of the rows are cash-ins and cash-outs, so `system:cash` is in most
 * transactions). `payments`: every transaction a payment, each to a merchant of its own. `hot-merchant`:
 * every transaction a payment to one merchant. `cash`: half cash-ins, half cash-outs, all on `system:cash`.
 */
export const MIXES = ["spread", "payments", "hot-merchant", "cash"] as const;
export type Mix = (typeof MIXES)[number];

/** One rung of the ladder: an offered rate of requests, each carrying `batchSize` transactions. */
export interface Step {
  readonly kind: Kind;
  readonly requestsPerSecond: number;
  readonly batchSize: number;
}

export interface BenchSettings {
  /** Load before the ladder, not reported: each kind once, until the JVMs' hot paths are compiled. */
  readonly warmUp: readonly Step[];
  readonly warmUpSeconds: number;
  readonly steps: readonly Step[];
  readonly seconds: number;
  /** How long a step's backlog may take to drain before the step counts as not sustained. */
  readonly drainLimitMs: number;
  /** Stop a kind's ladder after this many steps in a row that were not sustained. */
  readonly stopAfterUnsustained: number;
  readonly outDir?: string;
  readonly profile: string;
  /** Load pg_stat_statements and report, per step, the statements Postgres spent its time on. */
  readonly statements: boolean;
  /** Each step runs once per mix, in this order; rows are compared with the same step's `spread` row. */
  readonly mixes: readonly Mix[];
}

interface Profile {
  readonly warmUp: string;
  readonly warmUpSeconds: number;
  readonly steps: string;
  readonly seconds: number;
  readonly drainLimitMs: number;
  readonly mixes?: string;
}

const PROFILES: Readonly<Record<string, Profile>> = {
  // About 11 minutes on a 2-core machine. A fresh broker's JIT compiler still used a fifth of a core a
  // minute into the load, and Kafka spent about half as much CPU again as once warm: the warm-up runs
  // both kinds of request for 20 s each.
  full: {
    warmUp: "single:1000;batch:20",
    warmUpSeconds: 20,
    steps: "single:500,1000,1500,2000,2500,3000;batch:20,40,60,80,100,130",
    seconds: 20,
    drainLimitMs: 90_000,
  },
  // A smoke run of the whole path (about 2 minutes with the start).
  quick: {
    warmUp: "single:300",
    warmUpSeconds: 10,
    steps: "single:300,600;batch:10,20",
    seconds: 5,
    drainLimitMs: 30_000,
  },
  // Issue 33's hot accounts, side by side (about 7 minutes with the start): each step once per mix. Batch
  // at 6,000/s is above what the ledger sustained on 2 cores (3,955/s), so its posted rate is each mix's
  // capacity; 3,000/s and single POSTs at 1,000/s show what a hot account does to latency below it. The
  // long drain limit lets a slow hot mix finish its 120,000 rather than end the run.
  hot: {
    warmUp: "single:1000;batch:20",
    warmUpSeconds: 20,
    steps: "batch:30,60;single:1000",
    seconds: 20,
    drainLimitMs: 180_000,
    mixes: "spread,payments,hot-merchant,cash",
  },
};

/** "single:1000,2000;batch:40,70" with batch requests of `batchSize` transactions. */
export const parseSteps = (text: string, batchSize: number): Step[] =>
  text
    .split(";")
    .filter((part) => part.trim() !== "")
    .flatMap((part) => {
      const [kind, rates] = part.split(":");
      if (kind !== "single" && kind !== "batch") throw new Error(`unknown step kind "${kind}" in --steps`);
      return (rates ?? "").split(",").map((rate) => {
        const requestsPerSecond = Number(rate);
        if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0)
          throw new Error(`bad rate "${rate}" in --steps`);
        return { kind, requestsPerSecond, batchSize: kind === "batch" ? batchSize : 1 };
      });
    });

/** "spread,hot-merchant,cash": each mix once, in the order given. */
export const parseMixes = (text: string): Mix[] => {
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new Error("--mixes names no mix");
  return names.map((name, i) => {
    if (!(MIXES as readonly string[]).includes(name))
      throw new Error(`unknown mix "${name}" in --mixes (${MIXES.join(", ")})`);
    if (names.indexOf(name) !== i) throw new Error(`mix "${name}" twice in --mixes`);
    return name as Mix;
  });
};

export const benchSettings = (argv: readonly string[]): BenchSettings => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      profile: { type: "string", default: "full" },
      steps: { type: "string" },
      seconds: { type: "string" },
      "batch-size": { type: "string", default: "100" },
      out: { type: "string" },
      statements: { type: "boolean", default: false },
      mixes: { type: "string" },
    },
  });
  const profile = PROFILES[values.profile];
  if (!profile) throw new Error(`unknown profile "${values.profile}" (${Object.keys(PROFILES).join(", ")})`);
  return {
    profile: values.profile,
    warmUp: parseSteps(profile.warmUp, Number(values["batch-size"])),
    warmUpSeconds: profile.warmUpSeconds,
    steps: parseSteps(values.steps ?? profile.steps, Number(values["batch-size"])),
    seconds: values.seconds ? Number(values.seconds) : profile.seconds,
    drainLimitMs: profile.drainLimitMs,
    stopAfterUnsustained: 2,
    statements: values.statements,
    mixes: parseMixes(values.mixes ?? profile.mixes ?? "spread"),
    ...(values.out ? { outDir: values.out } : {}),
  };
};
