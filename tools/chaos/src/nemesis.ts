// The nemesis's schedule: which fault, when, against what. Pure and seeded, so a failing run is replayed
// with the same --seed. The executor (ScriptedPipeline in @ledgerline/testkit) carries the faults out; the project's own supervision
// restarts the killed apps, the checker never does.
import { Data } from "effect";
import { seededRandom } from "./random.ts";

export type Fault = Data.TaggedEnum<{
  /** SIGKILL one app instance (gateway, processor-1, ledger-sink, outbox-relay...). */
  KillApp: { readonly atMs: number; readonly target: string };
  /** SIGKILL the Kafka broker, start it again after `downMs`. */
  KillBroker: { readonly atMs: number; readonly downMs: number };
  /** `pg_ctl restart -m immediate` of the ledger's (and registry's) Postgres. */
  RestartPostgres: { readonly atMs: number };
  /** Stop the schema registry, start it again after `downMs`. */
  StopRegistry: { readonly atMs: number; readonly downMs: number };
}>;
export const Fault = Data.taggedEnum<Fault>();

export type FaultKind = Fault["_tag"];

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
  readonly postgresRestarts: number;
  readonly registryStops: number;
}

/** App kills every few seconds (every instance at least once), the infrastructure faults spread between. */
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
        ? Fault.KillBroker({ atMs, downMs })
        : kind === "postgres"
          ? Fault.RestartPostgres({ atMs })
          : Fault.StopRegistry({ atMs, downMs }),
    );
  });
  return faults.sort((a, b) => a.atMs - b.atMs);
};
