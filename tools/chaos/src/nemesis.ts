// The nemesis's schedule: which fault, when, against what. Pure and seeded, so a failing run is replayed
// with the same --seed. The executor (faults.ts, on ScriptedPipeline in @ledgerline/testkit) carries the
// faults out; the project's own supervision restarts the killed apps, the checker never does.
import { Data } from "effect";
import { seededRandom } from "./random.ts";

/** The network faults, as Toxiproxy's toxics give them (ScriptedPipeline's NetworkFaults applies them). */
export type NetworkFaultKind =
  | "SlowNetwork"
  | "ThrottleNetwork"
  | "DropConnections"
  | "Partition"
  | "SlowClose";
export const NETWORK_FAULT_KINDS: readonly NetworkFaultKind[] = [
  "SlowNetwork",
  "ThrottleNetwork",
  "DropConnections",
  "Partition",
  "SlowClose",
];

export type Fault = Data.TaggedEnum<{
  /** SIGKILL one app instance (gateway, processor-1, ledger-sink, outbox-relay...). */
  KillApp: { readonly atMs: number; readonly target: string };
  /** SIGSTOP one app instance for `pausedMs` (longer than a session timeout), then SIGCONT: a zombie. */
  PauseApp: { readonly atMs: number; readonly target: string; readonly pausedMs: number };
  /** SIGKILL broker node `node` (1..N), start it again after `downMs`. */
  KillBroker: { readonly atMs: number; readonly downMs: number; readonly node: number };
  /** `pg_ctl restart -m immediate` of the ledger's (and registry's) Postgres. */
  RestartPostgres: { readonly atMs: number };
  /** Stop the schema registry, start it again after `downMs`. */
  StopRegistry: { readonly atMs: number; readonly downMs: number };
  /** A network fault on one link (a stage kind to one broker node, or to Postgres) for `durationMs`. */
  Network: {
    readonly atMs: number;
    readonly kind: NetworkFaultKind;
    readonly link: string;
    readonly durationMs: number;
  };
}>;
export const Fault = Data.taggedEnum<Fault>();

export type FaultKind = Fault["_tag"];

/** The name a fault is counted and drawn under: a network fault by its kind. */
export const faultName = (fault: Fault): string => (fault._tag === "Network" ? fault.kind : fault._tag);

export interface ScheduleOptions {
  readonly seed: number;
  /** Faults happen while the load runs, in [startMs, endMs). */
  readonly startMs: number;
  readonly endMs: number;
  /** Every app instance the supervisor runs (kills pick among them; each is killed at least once). */
  readonly instances: readonly string[];
  /** Mean gap between app kills. */
  readonly killEveryMs: number;
  readonly brokerRestarts: number;
  /** Broker nodes (a kill picks one). */
  readonly brokers?: number;
  readonly postgresRestarts: number;
  readonly registryStops: number;
  /** Pauses (SIGSTOP/SIGCONT), each of an instance picked so every stage kind is paused before any twice. */
  readonly pauses?: number;
  /** How long a pause lasts: past the stages' 10 s session timeout. */
  readonly pauseMs?: readonly [number, number];
  /** Network links (ScriptedPipeline's NetworkFaults.links(): "processor→kafka-1", "ledger-sink→postgres"). */
  readonly links?: readonly string[];
  /** How many faults of each network kind. */
  readonly networkFaults?: Partial<Readonly<Record<NetworkFaultKind, number>>>;
}

/** The stage kind of an instance ("processor-1" → "processor"). */
const stageOf = (instance: string) => instance.replace(/-\d+$/, "");

/** `count` picks that take every group (by `groupOf`) once, in a seeded order, before any group twice. */
const spread = (
  random: ReturnType<typeof seededRandom>,
  items: readonly string[],
  count: number,
  groupOf: (item: string) => string,
): string[] => {
  const groups = random.shuffle([...new Set(items.map(groupOf))]);
  return Array.from({ length: count }, (_, i) => {
    const group = groups[i % groups.length] as string;
    return random.pick(items.filter((item) => groupOf(item) === group));
  });
};

/**
 * App kills every few seconds (every instance at least once), the infrastructure faults spread between,
 * pauses and network faults each in slots of their own (one ends before the next of its family begins).
 */
export const faultSchedule = (options: ScheduleOptions): Fault[] => {
  const random = seededRandom(options.seed);
  const span = options.endMs - options.startMs;
  const faults: Fault[] = [];
  const kills = Math.max(options.instances.length, Math.floor(span / options.killEveryMs));
  // Every instance once (in a seeded order), then random ones.
  const order = random.shuffle(options.instances);
  for (let i = 0; i < kills; i++) {
    const atMs = options.startMs + Math.round(((i + 0.2 + random.next() * 0.6) * span) / kills);
    faults.push(Fault.KillApp({ atMs, target: order[i] ?? random.pick(options.instances) }));
  }
  // Infrastructure faults in disjoint slots, so one outage ends before the next begins.
  const brokers = options.brokers ?? 1;
  const slots = options.brokerRestarts + options.postgresRestarts + options.registryStops;
  const kinds = random.shuffle([
    ...Array<"broker">(options.brokerRestarts).fill("broker"),
    ...Array<"postgres">(options.postgresRestarts).fill("postgres"),
    ...Array<"registry">(options.registryStops).fill("registry"),
  ]);
  kinds.forEach((kind, i) => {
    const slot = span / slots;
    const atMs = options.startMs + Math.round(slot * i + slot * (0.15 + random.next() * 0.3));
    const downMs = Math.round(Math.min(slot * 0.4, random.int(3_000, 10_000)));
    faults.push(
      kind === "broker"
        ? Fault.KillBroker({ atMs, downMs, node: brokers > 1 ? random.int(1, brokers) : 1 })
        : kind === "postgres"
          ? Fault.RestartPostgres({ atMs })
          : Fault.StopRegistry({ atMs, downMs }),
    );
  });
  // Pauses: every stage kind once before any twice, in slots of their own.
  const pauses = options.pauses ?? 0;
  const [minPause, maxPause] = options.pauseMs ?? [12_000, 20_000];
  spread(random, options.instances, pauses, stageOf).forEach((target, i) => {
    const slot = span / pauses;
    const pausedMs = Math.round(Math.min(slot * 0.6, random.int(minPause, maxPause)));
    const atMs = options.startMs + Math.round(slot * i + (slot - pausedMs) * random.next() * 0.8);
    faults.push(Fault.PauseApp({ atMs, target, pausedMs }));
  });
  // Network faults: each kind as often as asked, on links that take every stage kind in turn; a partition
  // of a stage from one broker more often than from Postgres (both happen when there are enough).
  const links = options.links ?? [];
  const network = random.shuffle(
    NETWORK_FAULT_KINDS.flatMap((kind) =>
      Array<NetworkFaultKind>(options.networkFaults?.[kind] ?? 0).fill(kind),
    ),
  );
  if (links.length > 0 && network.length > 0) {
    const targets = spread(random, links, network.length, (link) => link.split("→")[0] as string);
    network.forEach((kind, i) => {
      const slot = span / network.length;
      const durationMs = Math.round(Math.min(slot * 0.6, random.int(8_000, 15_000)));
      const atMs = options.startMs + Math.round(slot * i + (slot - durationMs) * random.next() * 0.8);
      faults.push(Fault.Network({ atMs, kind, link: targets[i] as string, durationMs }));
    });
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
};
