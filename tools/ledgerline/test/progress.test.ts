// Progress without a terminal: plain lines at an interval and a final one; nothing with --json.
import { describe, expect, it } from "vitest";
import { progress, progressLine, progressMode } from "../src/progress.ts";

describe("progress", () => {
  it("chooses a bar on a terminal, lines on a pipe, nothing with --json", () => {
    expect(progressMode(false, true)).toBe("bar");
    expect(progressMode(false, false)).toBe("lines");
    expect(progressMode(true, true)).toBe("off");
    expect(progressMode(true, false)).toBe("off");
  });

  it("formats done/total, rate and ETA, and the elapsed time when done", () => {
    expect(progressLine({ label: "seeding rows", done: 500, total: 1000, elapsedMs: 2_000 })).toBe(
      "seeding rows 500/1000 (50%), 250/s, ETA 2 s",
    );
    expect(
      progressLine({ label: "sent", done: 10, total: 100_000, elapsedMs: 1_000, extra: "accepted 10" }),
    ).toBe("sent 10/100000 (0%), 10/s, ETA 2 h 46 min, accepted 10");
    expect(progressLine({ label: "replaying", done: 0, total: 5, elapsedMs: 1_000 })).toBe(
      "replaying 0/5 (0%), 0/s, ETA ?",
    );
    expect(progressLine({ label: "replaying", done: 5, total: 5, elapsedMs: 2_500, final: true })).toBe(
      "replaying 5/5 (100%), 2/s, in 2.5 s",
    );
  });

  it("prints plain lines while it runs and one when it stops", async () => {
    const lines: string[] = [];
    const p = progress("seeding rows", 10, "lines", { intervalMs: 50, write: (t) => lines.push(t) });
    p.update(4);
    await new Promise((r) => setTimeout(r, 130));
    p.update(10);
    p.stop();
    p.stop();
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^seeding rows 4\/10 \(40%\), \d+\/s, ETA \S+/);
    expect(lines.at(-1)).toMatch(/^seeding rows 10\/10 \(100%\), \d+\/s, in \d+\.\d s\n$/);
    expect(lines.filter((l) => l.includes(" in ")).length).toBe(1);
  });
});
