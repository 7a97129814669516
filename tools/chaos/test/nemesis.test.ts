import { describe, expect, it } from "vitest";
import { faultSchedule } from "../src/nemesis.ts";

const options = {
  seed: 42,
  startMs: 10_000,
  endMs: 100_000,
  instances: ["gateway", "processor", "ledger-sink", "outbox-relay"],
  killEveryMs: 8_000,
  brokerRestarts: 1,
  postgresRestarts: 1,
  registryStops: 1,
};

describe("faultSchedule", () => {
  it("is the same for the same seed, and different for another", () => {
    expect(faultSchedule(options)).toEqual(faultSchedule(options));
    expect(faultSchedule({ ...options, seed: 43 })).not.toEqual(faultSchedule(options));
  });

  it("kills every instance at least once and spreads the infrastructure faults within the load", () => {
    const faults = faultSchedule(options);
    const killed = new Set(faults.flatMap((f) => (f._tag === "KillApp" ? [f.target] : [])));
    expect([...killed].sort()).toEqual([...options.instances].sort());
    expect(faults.filter((f) => f._tag === "KillBroker")).toHaveLength(1);
    expect(faults.filter((f) => f._tag === "RestartPostgres")).toHaveLength(1);
    expect(faults.filter((f) => f._tag === "StopRegistry")).toHaveLength(1);
    for (const fault of faults) {
      expect(fault.atMs).toBeGreaterThanOrEqual(options.startMs);
      expect(fault.atMs).toBeLessThan(options.endMs);
    }
    expect(faults.map((f) => f.atMs)).toEqual([...faults.map((f) => f.atMs)].sort((a, b) => a - b));
  });
});

describe("pauses and network faults", () => {
  const links = ["gateway→kafka-1", "processor→kafka-1", "processor→kafka-2", "ledger-sink→postgres"];
  const withMore = {
    ...options,
    instances: ["gateway", "processor-0", "processor-1", "ledger-sink-0", "ledger-sink-1", "outbox-relay-0"],
    pauses: 4,
    links,
    networkFaults: { Partition: 2, SlowNetwork: 1, DropConnections: 1 },
  };

  it("pauses every stage kind before any twice, each past a session timeout, one at a time", () => {
    const pauses = faultSchedule(withMore).flatMap((f) => (f._tag === "PauseApp" ? [f] : []));
    expect(pauses).toHaveLength(4);
    expect(new Set(pauses.map((p) => p.target.replace(/-\d+$/, ""))).size).toBe(4);
    for (const [i, pause] of pauses.entries()) {
      expect(pause.pausedMs).toBeGreaterThanOrEqual(12_000);
      const next = pauses[i + 1];
      if (next) expect(pause.atMs + pause.pausedMs).toBeLessThanOrEqual(next.atMs);
    }
  });

  it("puts each network fault on a link, one at a time, within the load", () => {
    const network = faultSchedule(withMore).flatMap((f) => (f._tag === "Network" ? [f] : []));
    expect(network.map((f) => f.kind).sort()).toEqual([
      "DropConnections",
      "Partition",
      "Partition",
      "SlowNetwork",
    ]);
    for (const [i, fault] of network.entries()) {
      expect(links).toContain(fault.link);
      expect(fault.atMs + fault.durationMs).toBeLessThanOrEqual(withMore.endMs);
      const next = network[i + 1];
      if (next) expect(fault.atMs + fault.durationMs).toBeLessThanOrEqual(next.atMs);
    }
  });

  it("leaves the schedule of a run without them as it was", () => {
    expect(faultSchedule({ ...options, pauses: 0, links, networkFaults: {} })).toEqual(
      faultSchedule(options),
    );
  });
});
