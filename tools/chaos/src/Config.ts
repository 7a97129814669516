// What a chaos run is told: its command-line flags (no environment is read: the run starts a pipeline of
// its own and sets that pipeline's environment itself).
import { parseArgs } from "node:util";

export interface Profile {
  readonly name: "short" | "long";
  readonly ratePerSecond: number;
  readonly loadMs: number;
  readonly concurrency: number;
  readonly killEveryMs: number;
  readonly brokerRestarts: number;
  readonly postgresRestarts: number;
  readonly registryStops: number;
  /** How long the pipeline gets to drain after the load. */
  readonly drainMs: number;
}

export const PROFILES: Readonly<Record<Profile["name"], Profile>> = {
  // About 2 minutes: at least 2,000 transactions, every app killed at least once, a broker restart and a
  // Postgres restart. It runs inside npm test.
  short: {
    name: "short",
    ratePerSecond: 25,
    loadMs: 90_000,
    concurrency: 16,
    killEveryMs: 9_000,
    brokerRestarts: 1,
    postgresRestarts: 1,
    registryStops: 0,
    drainMs: 180_000,
  },
  // About 10 minutes, over 50,000 transactions, every fault kind several times.
  long: {
    name: "long",
    ratePerSecond: 90,
    loadMs: 600_000,
    concurrency: 40,
    killEveryMs: 7_000,
    brokerRestarts: 3,
    postgresRestarts: 3,
    registryStops: 2,
    drainMs: 300_000,
  },
};

export const USAGE = `npm run chaos -- [options]   (npm run chaos:long: --profile long)

  --profile short|long    short (default): 90 s at 25 tx/s, every app killed, a broker and a Postgres
                          restart; long: 10 minutes at 90 tx/s, every fault kind several times
  --seed N                replay a run (the seed decides the traffic and the faults)
  --instances 1|2|3       processors and sinks per stage (default 1)
  --kill-every MS         mean gap between app kills (default: the profile's)
  --out DIR               where chaos.json and chaos.html go (default .ledgerline/chaos/<time>)
  --processor-delivery at-least-once
                          commit the processor's offsets outside its transaction (breaks exactly-once)
  --help                  this text

Exit 0 when every invariant holds, 1 on any anomaly, 2 when the run could not happen.`;

export interface ChaosSettings {
  readonly profile: Profile;
  readonly seed: number;
  readonly instances: number;
  readonly outDir: string | undefined;
  /** "at-least-once" commits the processor's offsets outside its transaction: the checker must catch it. */
  readonly processorDelivery: "exactly-once" | "at-least-once";
  /** --help: print USAGE, run nothing. */
  readonly help: boolean;
}

export const chaosSettings = (argv: readonly string[]): ChaosSettings => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      profile: { type: "string", default: "short" },
      seed: { type: "string" },
      instances: { type: "string", default: "1" },
      out: { type: "string" },
      "processor-delivery": { type: "string", default: "exactly-once" },
      "kill-every": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  const chosen = PROFILES[values.profile as Profile["name"]];
  if (!chosen) throw new Error(`--profile must be short or long, not ${values.profile}`);
  // --kill-every <ms>: app kills more (or less) often than the profile's.
  const profile = values["kill-every"] ? { ...chosen, killEveryMs: Number(values["kill-every"]) } : chosen;
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 3)
    throw new Error("--instances must be 1, 2 or 3");
  const delivery = values["processor-delivery"];
  if (delivery !== "exactly-once" && delivery !== "at-least-once") {
    throw new Error("--processor-delivery must be exactly-once or at-least-once");
  }
  return {
    profile,
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed),
    instances,
    outDir: values.out,
    processorDelivery: delivery,
    help: values.help === true,
  };
};
