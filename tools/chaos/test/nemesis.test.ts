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
