// What a chaos run is told: its command-line flags (no environment is read: the run starts a pipeline of
// its own and sets that pipeline's environment itself).
import { parseArgs } from "node:util";
import type { NetworkFaultKind } from "./nemesis.ts";

export interface Profile {
  readonly name: "short" | "long";
  readonly ratePerSecond: number;
  readonly loadMs: number;
  readonly concurrency: number;
  readonly killEveryMs: number;
  readonly brokerRestarts: number;
  readonly postgresRestarts: number;
  readonly registryStops: number;
  /** SIGSTOP/SIGCONT of an instance, past its session timeout (every stage kind before any twice). */
  readonly pauses: number;
  /** Network faults per kind, through Toxiproxy (none: the stages keep their real addresses). */
  readonly networkFaults: Readonly<Record<NetworkFaultKind, number>>;
  /** Broker nodes, and instances of each stage, unless --brokers / --instances say otherwise. */
  readonly brokers: number;
  readonly instances: number;
  /** How long the pipeline gets to drain after the load. */
  readonly drainMs: number;
}

const noNetworkFaults = {
  SlowNetwork: 0,
  ThrottleNetwork: 0,
  DropConnections: 0,
  Partition: 0,
  SlowClose: 0,
};

export const PROFILES: Readonly<Record<Profile["name"], Profile>> = {
  // About 2 minutes: at least 2,000 transactions, every app killed at least once, a broker restart, a
  // Postgres restart, a pause and a network partition. It runs inside npm test.
  short: {
    name: "short",
    ratePerSecond: 25,
    loadMs: 90_000,
    concurrency: 16,
    killEveryMs: 9_000,
    brokerRestarts: 1,
    postgresRestarts: 1,
    registryStops: 0,
    pauses: 1,
    networkFaults: { ...noNetworkFaults, Partition: 1 },
    brokers: 1,
    instances: 1,
    drainMs: 180_000,
  },
  // About 10 minutes, over 50,000 transactions, every fault kind several times, on 3 brokers with two
  // instances of each stage.
  long: {
    name: "long",
    ratePerSecond: 90,
    loadMs: 600_000,
    concurrency: 40,
    killEveryMs: 7_000,
    brokerRestarts: 3,
    postgresRestarts: 3,
    registryStops: 2,
    pauses: 8,
    networkFaults: { SlowNetwork: 3, ThrottleNetwork: 3, DropConnections: 3, Partition: 4, SlowClose: 3 },
    brokers: 3,
    instances: 2,
    drainMs: 300_000,
  },
};

export const USAGE = `npm run chaos -- [options]   (npm run chaos:long: --profile long)

  --profile short|long    short (default): 90 s at 25 tx/s, every app killed, a broker and a Postgres
                          restart, a pause and a network partition; long: 10 minutes at 90 tx/s on 3
                          brokers with 2 instances per stage, every fault kind several times
  --seed N                replay a run (the seed decides the traffic and the faults)
  --instances 1|2|3       gateways, processors, sinks and outbox relays (default: the profile's)
  --brokers 1|3           Kafka broker nodes (default: the profile's)
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
  readonly brokers: number;
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
      instances: { type: "string" },
      brokers: { type: "string" },
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
  const instances = Number(values.instances ?? profile.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 3)
    throw new Error("--instances must be 1, 2 or 3");
  const brokers = Number(values.brokers ?? profile.brokers);
  if (brokers !== 1 && brokers !== 3) throw new Error("--brokers must be 1 or 3");
  const delivery = values["processor-delivery"];
  if (delivery !== "exactly-once" && delivery !== "at-least-once") {
    throw new Error("--processor-delivery must be exactly-once or at-least-once");
  }
  return {
    profile,
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed),
    instances,
    brokers,
    outDir: values.out,
    processorDelivery: delivery,
    help: values.help === true,
  };
};
