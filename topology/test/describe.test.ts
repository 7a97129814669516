import { names, stages, topics } from "@ledgerline/catalogue";
import { describe, expect, it } from "vitest";
import { describeMermaid, describeText } from "../src/describe.ts";

describe("topology describe", () => {
  it("names every topic and stage in text and in the Mermaid diagram", () => {
    const text = describeText();
    const mermaid = describeMermaid();
    expect(mermaid.startsWith("flowchart LR")).toBe(true);
    for (const spec of Object.values(topics)) {
      expect(text).toContain(spec.name);
      expect(mermaid).toContain(`"${spec.name}"`);
    }
    for (const spec of Object.values(stages)) expect(text).toContain(spec.name);
  });

  it("prefixes topics, groups and transactional ids with the namespace", () => {
    const n = names("ns1");
    expect(n.topic("requested")).toBe("ns1.transactions.requested");
    expect(n.valueSubject("requested")).toBe("ns1.transactions.requested-value");
    expect(n.group("processor")).toBe("ns1.ledgerline.processor");
    expect(n.transactionalId("processor", "0")).toBe("ns1.ledgerline.processor.0");
    expect(n.topicIdOf("ns1.transactions.dlq")).toBe("dlq");
  });
});

describe("README.md", () => {
  it("embeds the current topology diagram (`npm run topology -- describe --mermaid`)", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(describeMermaid());
  });
});
