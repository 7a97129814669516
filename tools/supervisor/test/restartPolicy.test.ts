import { describe, expect, it } from "vitest";
import { decideRestart } from "../src/restartPolicy.ts";

const settings = { baseMs: 1_000, maxMs: 30_000, stableAfterMs: 60_000 };

describe("decideRestart", () => {
  it("restarts a first crash after the base delay", () => {
    expect(decideRestart(settings, { ranForMs: 5_000, crashLoop: 0 })).toEqual({
      delayMs: 1_000,
      crashLoop: 1,
    });
  });

  it("doubles the delay while the app keeps crashing early, up to the cap", () => {
    const delays: number[] = [];
    let crashLoop = 0;
    for (let i = 0; i < 8; i++) {
      const decision = decideRestart(settings, { ranForMs: 100, crashLoop });
      delays.push(decision.delayMs);
      crashLoop = decision.crashLoop;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("starts the count again after a stable run", () => {
    expect(decideRestart(settings, { ranForMs: 61_000, crashLoop: 6 })).toEqual({
      delayMs: 1_000,
      crashLoop: 1,
    });
  });
});
