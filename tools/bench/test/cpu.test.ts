import { describe, expect, it } from "vitest";
import { parseStat, treeTicks } from "../src/cpu.ts";

describe("cpu from /proc", () => {
  it("reads user, system and reaped children's time past a command name with spaces and parentheses", () => {
    const line =
      "4242 (postgres: ledgerline (idle)) S 4000 4000 4000 0 -1 4194560 812 0 0 0 120 30 7 3 20 0 1 0 55 1000 200";
    expect(parseStat(line)).toEqual({ pid: 4242, ppid: 4000, ticks: 160 });
  });

  it("sums a process and its live descendants, nothing else", () => {
    const stats = [
      { pid: 1, ppid: 0, ticks: 1_000 },
      { pid: 4000, ppid: 1, ticks: 50 }, // postmaster; cutime holds exited backends
      { pid: 4242, ppid: 4000, ticks: 160 },
      { pid: 4243, ppid: 4000, ticks: 40 },
      { pid: 4300, ppid: 4243, ticks: 5 },
      { pid: 5000, ppid: 1, ticks: 700 },
    ];
    expect(treeTicks(stats, 4000)).toBe(255);
    expect(treeTicks(stats, 9999)).toBe(0);
  });
});
