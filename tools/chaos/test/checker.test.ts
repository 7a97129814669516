import { describe, expect, it } from "vitest";
import { anomalySummary, check, type Observations } from "../src/checker.ts";

const clean = (): Observations => ({
  accepted: new Map([
    ["k1", ["t1"]],
    ["k2", ["t2", "t2"]], // resent after a lost answer: same id
  ]),
  ledger: new Map([
    ["t1", { status: "posted" }],
    ["t2", { status: "rejected" }],
  ]),
  unbalancedTransactions: [],
  balanceMismatches: [],
  outboxEvents: new Map([["t1", 1]]),
  requested: new Map([
    ["t1", 1],
    ["t2", 2], // a client retry put it on the intake topic twice
  ]),
  processed: new Map([
    ["t1", 1],
    ["t2", 2],
  ]),
  abortedOnly: new Set(),
  postedEvents: new Map([["t1", ["e1", "e1"]]]), // a relay duplicate: counted, not an anomaly
  lag: [{ group: "processor", topic: "requested", partition: 0, lag: 0 }],
});

const kinds = (o: Observations) => anomalySummary(check(o)).map((a) => a.kind);

describe("check", () => {
  it("passes a clean history, and counts what it saw", () => {
    const invariants = check(clean());
    expect(invariants.every((i) => i.ok)).toBe(true);
    expect(invariants.find((i) => i.name.startsWith("every posted"))?.counts).toMatchObject({
      duplicateEvents: 1,
    });
  });

  it("names each anomaly", () => {
    expect(kinds({ ...clean(), ledger: new Map([["t2", { status: "rejected" }]]) })).toContain("lost-write");
    expect(
      kinds({
        ...clean(),
        processed: new Map([
          ["t1", 2],
          ["t2", 2],
        ]),
      }),
    ).toEqual(["duplicate"]);
    expect(
      kinds({
        ...clean(),
        processed: new Map([
          ["t1", 1],
          ["t2", 1],
        ]),
      }),
    ).toEqual(["lost-write"]);
    expect(kinds({ ...clean(), abortedOnly: new Set(["t1"]) })).toEqual(["aborted-read"]);
    expect(kinds({ ...clean(), outboxEvents: new Map([["t1", 2]]) })).toEqual(["duplicate"]);
    expect(kinds({ ...clean(), postedEvents: new Map() })).toEqual(["unseen"]);
    expect(kinds({ ...clean(), accepted: new Map([["k1", ["t1", "t9"]]]) })).toContain("key-divergence");
    expect(kinds({ ...clean(), balanceMismatches: ["customer:ACC-1 USD"] })).toEqual(["unbalanced"]);
    expect(
      kinds({ ...clean(), lag: [{ group: "ledger-sink", topic: "validated", partition: 2, lag: 3 }] }),
    ).toEqual(["inconsistent-offsets"]);
  });
});
