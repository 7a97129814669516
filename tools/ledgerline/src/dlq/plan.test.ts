import { names } from "@ledgerline/catalogue";
import type { DeadLetter } from "@ledgerline/contracts";
import { describe, expect, it } from "vitest";
import { envelope } from "./envelopeFixture.ts";
import { matchesFilter, parseTime } from "./filter.ts";
import { planReplay, replayGroupKey } from "./plan.ts";
import type { DlqRecord, DlqSnapshot } from "./scan.ts";

const ns = names("ns");
const record = (offset: number, fields: Partial<DeadLetter>, key = "ACC-1"): DlqRecord => ({
  partition: 0,
  offset: BigInt(offset),
  timestamp: new Date("2024-05-01T10:00:00Z"),
  key,
  headers: {},
  envelope: envelope(fields),
  decodeError: null,
  raw: undefined,
});

const snapshot: DlqSnapshot = {
  topic: ns.topic("dlq"),
  lastOffsets: [3n],
  records: [
    record(0, { reason_code: "ENRICHMENT_FAILED", transaction_id: "11111111-1111-4111-8111-111111111111" }),
    record(1, { reason_code: "PAYLOAD_CONFLICT", retryable: false }, "ACC-2"),
    record(2, { reason_code: "ENRICHMENT_FAILED", replay_count: 3 }),
    record(3, {
      reason_code: "UNKNOWN_SCHEMA",
      stage: "ledger-sink",
      dead_lettered_at: new Date("2024-05-02T00:00:00Z"),
    }),
  ],
};
const options = { filter: {}, force: false, maxReplays: 3 };

describe("DLQ filters", () => {
  it("select by reason, stage, account, transaction id, time and explicit ids", () => {
    const pick = (filter: Parameters<typeof matchesFilter>[1]) =>
      snapshot.records.filter((r) => matchesFilter(r, filter)).map((r) => Number(r.offset));
    expect(pick({ reasons: ["enrichment_failed"] })).toEqual([0, 2]);
    expect(pick({ stage: "ledger-sink" })).toEqual([3]);
    expect(pick({ account: "ACC-2" })).toEqual([1]);
    expect(pick({ transactionId: "11111111-1111-4111-8111-111111111111" })).toEqual([0]);
    expect(pick({ since: new Date("2024-05-01T12:00:00Z") })).toEqual([3]);
    expect(pick({ ids: ["0:1", "11111111-1111-4111-8111-111111111111"] })).toEqual([0, 1]);
  });

  it("reads relative and absolute times", () => {
    const now = new Date("2024-05-02T00:00:00Z");
    expect(parseTime("2h", now)).toEqual(new Date("2024-05-01T22:00:00Z"));
    expect(parseTime("2024-05-01", now)).toEqual(new Date("2024-05-01T00:00:00Z"));
    expect(parseTime("soon", now)).toBeUndefined();
  });
});

describe("replay plan", () => {
  it("refuses final reasons, parks records replayed too often, skips what this replay already did", () => {
    const plan = planReplay(snapshot, new Map([[0, 1n]]), options, ns);
    expect(plan.records.map((r) => r.verdict._tag)).toEqual([
      "AlreadyReplayed",
      "Refused",
      "Parked",
      "Replay",
    ]);
    expect(plan.counts).toMatchObject({ selected: 4, replay: 1, alreadyReplayed: 1, refused: 1, parked: 1 });
  });

  it("--force replays final reasons; --max caps the count; --to redirects", () => {
    const forced = planReplay(snapshot, new Map(), { ...options, force: true, max: 2, to: "validated" }, ns);
    expect(forced.records.map((r) => r.verdict._tag)).toEqual(["Replay", "Replay", "Parked", "OverMax"]);
    expect(forced.records[0]!.verdict).toEqual({ _tag: "Replay", target: "validated" });
  });

  it("names the replay group after the selection, so a re-run continues where it stopped", () => {
    expect(replayGroupKey({ ...options, filter: { reasons: ["A", "B"] } })).toBe(
      replayGroupKey({ ...options, filter: { reasons: ["B", "A"] } }),
    );
    expect(replayGroupKey({ ...options, filter: { reasons: ["A"] } })).not.toBe(
      replayGroupKey({ ...options, filter: { reasons: ["B"] } }),
    );
  });
});
