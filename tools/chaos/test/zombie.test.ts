import { describe, expect, it } from "vitest";
import { summarise } from "../src/zombie.ts";

describe("summarise (what a woken zombie tried)", () => {
  it("counts its warn and error lines by reason, its other lines by message, without per-batch progress", () => {
    const line = (level: string, message: string, annotations: Record<string, unknown> = {}) =>
      JSON.stringify({ level, message, annotations, timestamp: "2026-12-07T08:00:00Z" });
    const report = summarise(
      [
        line("INFO", "ledger-sink batch committed"),
        line("INFO", "ledger-sink assignment changed; reading again from stored positions"),
        line("DEBUG", "record"),
        line("WARN", "exactly-once batch: Fenced, retrying", {
          reason: "Fenced",
          error: "PRODUCER_FENCED: There is a newer producer with the same transactionalId",
        }),
        line("WARN", "exactly-once batch: StaleOffsets, retrying", {
          reason: "StaleOffsets",
          error: "batch not ours: generation 3, now 4",
        }),
        line("WARN", "exactly-once batch: Fenced, retrying", { reason: "Fenced", error: "again" }),
        "not json",
        "",
      ],
      { target: "processor-1", atMs: 10_000, wokeMs: 25_000, resumed: true },
    );
    expect(report.tried).toEqual({
      Fenced: 2,
      StaleOffsets: 1,
      "ledger-sink assignment changed; reading again from stored positions": 1,
    });
    expect(report.examples[1]).toBe(
      "Fenced: PRODUCER_FENCED: There is a newer producer with the same transactionalId",
    );
    expect(report).toMatchObject({ target: "processor-1", atMs: 10_000, wokeMs: 25_000, resumed: true });
  });
});
