// Network faults between each stage and each Kafka broker, and between each stage and Postgres, for the
// chaos checker. Every (stage kind × broker node) and (stage kind that uses Postgres × Postgres) pair is a
// link with a TCP proxy of its own (Toxiproxy, toxiproxy.ts). Kafka tells clients where its brokers are, so
// a proxy stays in a stage's path only if the broker advertises it: each node gets one extra listener per
// stage kind (KAFKA_EXTRA_LISTENERS, ops/stack) advertising that stage's proxies, and the supervisor gives
// the stage's instances the proxies' addresses (SUPERVISOR_ROUTES). The scripts, the checker and
// inter-broker traffic keep the real addresses. This file is the plan (pure); toxiproxy.ts carries it out.
import { Data } from "effect";

export const STAGES = ["gateway", "processor", "ledger-sink", "outbox-relay"] as const;
export type Stage = (typeof STAGES)[number];
/** The processor keeps no state in Postgres: it has no Postgres link. */
const POSTGRES_STAGES: readonly Stage[] = ["gateway", "ledger-sink", "outbox-relay"];

/** "processor→kafka-2", "ledger-sink→postgres". */
export interface NetworkLink {
  readonly name: string;
  readonly stage: Stage;
  /** "kafka-1" .. "kafka-N", or "postgres". */
  readonly target: string;
}

export type NetworkFault = Data.TaggedEnum<{
  /** Every byte delayed by latencyMs ± jitterMs, both directions. */
  Latency: { readonly latencyMs: number; readonly jitterMs: number };
  /** Each direction capped at this rate. */
  Bandwidth: { readonly kilobytesPerSecond: number };
  /** Every connection is reset (TCP RST) as soon as data flows, new ones too, until healed. */
  // biome-ignore lint/complexity/noBannedTypes: a variant without fields, as Data.TaggedEnum spells it
  DropConnections: {};
  /** Nothing gets through either way and connections hang (no reset, no close) until healed; healing
   *  closes the connections that hung, so clients reconnect on a clean stream. */
  // biome-ignore lint/complexity/noBannedTypes: a variant without fields, as Data.TaggedEnum spells it
  Partition: {};
  /** A connection closed by either side stays open for delayMs before the other side sees the close. */
  SlowClose: { readonly delayMs: number };
}>;
export const NetworkFault = Data.taggedEnum<NetworkFault>();

export interface NetworkFaults {
  links(): readonly NetworkLink[];
  /** Adds the fault to the link (a fault of the same kind already there is replaced; other kinds stay). */
  apply(link: NetworkLink, fault: NetworkFault): Promise<void>;
  /** Removes every fault from that link, or from every link. */
  heal(link?: NetworkLink): Promise<void>;
}

/** A toxic as Toxiproxy's API takes it (POST /proxies/{proxy}/toxics; fields per toxiproxy v2.12.0). */
export interface Toxic {
  readonly name: string;
  readonly type: "latency" | "bandwidth" | "reset_peer" | "timeout" | "slow_close";
  readonly stream: "upstream" | "downstream";
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
}

const both = (type: Toxic["type"], attributes: Record<string, number>): Toxic[] =>
  (["upstream", "downstream"] as const).map((stream) => ({
    name: `${type}_${stream}`,
    type,
    stream,
    toxicity: 1,
    attributes,
  }));

/** The toxics that make a fault. */
export const toxicsOf = NetworkFault.$match({
  Latency: ({ latencyMs, jitterMs }) => both("latency", { latency: latencyMs, jitter: jitterMs }),
  Bandwidth: ({ kilobytesPerSecond }) => both("bandwidth", { rate: kilobytesPerSecond }),
  DropConnections: () => both("reset_peer", { timeout: 0 }),
  Partition: () => both("timeout", { timeout: 0 }),
  SlowClose: ({ delayMs }) => both("slow_close", { delay: delayMs }),
});

export interface PlannedProxy {
  readonly link: NetworkLink;
  /** Toxiproxy's proxy (ASCII: it goes into URLs). */
  readonly proxy: { readonly name: string; readonly listen: string; readonly upstream: string };
}

export interface NetworkPlan {
  readonly proxies: readonly PlannedProxy[];
  /** For the stack's scripts (ops/stack/up.sh) and the supervisor. */
  readonly env: { readonly KAFKA_EXTRA_LISTENERS: string; readonly SUPERVISOR_ROUTES: string };
  readonly apiPort: number;
}

/** Ports used from `base` (node i's ports 100·(i−1) higher): stage s's Kafka listener at base+s, its proxy
 *  at base+4+s, its Postgres proxy at base+8+s, the Toxiproxy API at base+12. */
export const NETWORK_PORT_WIDTH = 13;

export const networkPlan = (options: {
  readonly brokers: number;
  readonly kafkaPort: number;
  readonly postgresPort: number;
  readonly base: number;
}): NetworkPlan => {
  const { brokers, kafkaPort, postgresPort, base } = options;
  const at = (port: number) => `127.0.0.1:${port}`;
  const proxies: PlannedProxy[] = [];
  const listeners: string[] = [];
  const routes: string[] = [];
  STAGES.forEach((stage, s) => {
    const listener = stage.toUpperCase().replace("-", "_");
    listeners.push(`${listener}:${base + s}:${base + 4 + s}`);
    for (let node = 1; node <= brokers; node++) {
      const step = 100 * (node - 1);
      const target = `kafka-${node}`;
      proxies.push({
        link: { name: `${stage}→${target}`, stage, target },
        proxy: { name: `${stage}-${target}`, listen: at(base + 4 + s + step), upstream: at(base + s + step) },
      });
      routes.push(`${stage}=${at(kafkaPort + step)}>${at(base + 4 + s + step)}`);
    }
    if (POSTGRES_STAGES.includes(stage)) {
      proxies.push({
        link: { name: `${stage}→postgres`, stage, target: "postgres" },
        proxy: { name: `${stage}-postgres`, listen: at(base + 8 + s), upstream: at(postgresPort) },
      });
      routes.push(`${stage}=${at(postgresPort)}>${at(base + 8 + s)}`);
    }
  });
  return {
    proxies,
    env: { KAFKA_EXTRA_LISTENERS: listeners.join(","), SUPERVISOR_ROUTES: routes.join(",") },
    apiPort: base + 12,
  };
};
