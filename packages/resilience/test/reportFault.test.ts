import { describe, expect, it } from "vitest";
import { LogThrottle } from "../src/index.ts";

describe("LogThrottle", () => {
  it("lets the first occurrence through, then one per interval with the count held back", () => {
    const throttle = new LogThrottle(5_000);
    expect(throttle.admit("sink:BrokerUnavailable", 0)).toEqual({ log: true, held: 0 });
    for (let t = 100; t < 5_000; t += 100)
      expect(throttle.admit("sink:BrokerUnavailable", t).log).toBe(false);
    expect(throttle.admit("sink:BrokerUnavailable", 5_000)).toEqual({ log: true, held: 49 });
    // Another reason is its own line.
    expect(throttle.admit("sink:DatabaseUnavailable", 5_001).log).toBe(true);
  });
});
