import type { DeadLetter } from "@ledgerline/contracts";
import { type ConsumedRecord, DLQ_HEADERS, REPLAY_COUNT_HEADER } from "@ledgerline/kafka";
import { describe, expect, it } from "vitest";
import { envelope } from "./envelopeFixture.ts";
import { headersOf, REPLAY_DLQ_HEADER, REPLAY_ID_HEADER, REPLAY_ORIGIN_HEADER } from "./replayRun.ts";

const withHeaders = (original_headers: Record<string, Buffer>): DeadLetter =>
  envelope({ original_headers, original_partition: 2, original_offset: 7n, replay_count: 1 });
const dlqRecord = { topic: "ns.transactions.dlq", partition: 0, offset: 5n } as unknown as ConsumedRecord;

describe("replayed record headers", () => {
  it("keep the original's headers and add the replay's own", () => {
    expect(headersOf(withHeaders({ traceparent: Buffer.from("00-abc") }), dlqRecord, "r1")).toEqual({
      traceparent: "00-abc",
      [REPLAY_ID_HEADER]: "r1",
      [REPLAY_ORIGIN_HEADER]: "ns.transactions.requested:2:7",
      [REPLAY_DLQ_HEADER]: "ns.transactions.dlq:0:5",
      [REPLAY_COUNT_HEADER]: "2",
    });
  });

  it("never carry a dead-lettering's DLQ headers onto the replayed record", () => {
    const carried = Object.fromEntries(
      Object.values(DLQ_HEADERS).map((name) => [name, Buffer.from("x")] as const),
    );
    const headers = headersOf(withHeaders({ ...carried, "x-kept": Buffer.from("y") }), dlqRecord, "r1");
    expect(
      Object.keys(headers).filter(
        (name) => name.startsWith("__connect.") || name.startsWith("ledgerline.dlq."),
      ),
    ).toEqual([]);
    expect(headers["x-kept"]).toBe("y");
  });
});
