import { describe, expect, it } from "vitest";
import { metrics, metricsText } from "./metrics.ts";
import { sampleSum } from "./metricsText.ts";

describe("metrics exposition", () => {
  it("names carry units and _total, and counters read back by label subset", async () => {
    metrics.deadLetters.inc({ stage: "unit", reason: "NOT_WIRE_FORMAT" }, 2);
    metrics.deadLetters.inc({ stage: "unit", reason: "ENRICHMENT_FAILED" });
    const text = await metricsText();
    expect(sampleSum(text, "ledgerline_dlq_records_total", { stage: "unit" })).toBe(3);
    expect(
      sampleSum(text, "ledgerline_dlq_records_total", { stage: "unit", reason: "NOT_WIRE_FORMAT" }),
    ).toBe(2);
    for (const line of text.split("\n").filter((l) => l.startsWith("# TYPE"))) {
      const [, , name, type] = line.split(" ");
      if (type === "counter") expect(name).toMatch(/_total$/);
      if (type === "histogram") expect(name).toMatch(/_(seconds|records)$/);
    }
  });
});
