import { describe, expect, it } from "vitest";
import { ApiKeys } from "./codes.ts";
import { FrameSplitter } from "./frames.ts";
import { parseRequest } from "./requests.ts";
import { parseResponse } from "./responses.ts";

// Frames written by hand, field by field, as the protocol guide lays them out.
const int8 = (v: number) => Buffer.from([v]);
const int16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
const int32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const int64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const uvarint = (v: number) => Buffer.from([v]); // values < 128 in these tests
const compactString = (s: string) => Buffer.concat([uvarint(s.length + 1), Buffer.from(s)]);
const string16 = (s: string) => Buffer.concat([int16(s.length), Buffer.from(s)]);
const noTags = uvarint(0);
const frame = (...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(body.length), body]);
};
/** Request header v2 (flexible): the client id keeps its int16 length, then tagged fields. */
const header = (apiKey: number, version: number, correlationId: number, flexible = true) =>
  Buffer.concat([
    int16(apiKey),
    int16(version),
    int32(correlationId),
    string16("stage-1"),
    flexible ? noTags : Buffer.alloc(0),
  ]);

const endTxn = (correlationId: number, epoch: number, commit: boolean) =>
  frame(
    header(ApiKeys.EndTxn, 4, correlationId),
    compactString("tx-1"),
    int64(7n),
    int16(epoch),
    int8(commit ? 1 : 0),
    noTags,
  );

describe("FrameSplitter", () => {
  it("cuts a stream into frames wherever the chunks end", () => {
    const stream = Buffer.concat([endTxn(1, 0, true), endTxn(2, 0, false), endTxn(3, 1, true)]);
    const splitter = new FrameSplitter();
    const frames = [
      stream.subarray(0, 3),
      stream.subarray(3, 40),
      stream.subarray(40, 41),
      stream.subarray(41),
    ].flatMap((chunk) => splitter.push(chunk));
    expect(frames.map((f) => parseRequest(f).correlationId)).toEqual([1, 2, 3]);
    expect(Buffer.concat(frames)).toEqual(stream);
  });

  it("keeps a partial frame until the rest arrives", () => {
    const splitter = new FrameSplitter();
    const whole = endTxn(9, 0, true);
    expect(splitter.push(whole.subarray(0, whole.length - 1))).toEqual([]);
    expect(splitter.push(whole.subarray(whole.length - 1))).toEqual([whole]);
  });
});

describe("parseRequest", () => {
  it("reads EndTxn's transaction, producer, epoch and outcome", () => {
    expect(parseRequest(endTxn(17, 3, true))).toEqual({
      apiKey: 26,
      apiName: "EndTxn",
      apiVersion: 4,
      correlationId: 17,
      clientId: "stage-1",
      transactionalId: "tx-1",
      producerId: 7n,
      producerEpoch: 3,
      commit: true,
    });
  });

  it("reads AddPartitionsToTxn v3's partitions", () => {
    const request = frame(
      header(ApiKeys.AddPartitionsToTxn, 3, 5),
      compactString("tx-1"),
      int64(7n),
      int16(0),
      uvarint(2), // one topic
      compactString("out"),
      uvarint(3),
      int32(0),
      int32(2),
      noTags,
      noTags,
    );
    expect(parseRequest(request)).toMatchObject({ producerEpoch: 0, partitions: ["out:0", "out:2"] });
  });

  it("reads a Produce's producer, epoch and record count from its record batch", () => {
    const batch = Buffer.alloc(61);
    batch.writeBigInt64BE(7n, 43);
    batch.writeInt16BE(2, 51);
    batch.writeInt32BE(4, 57);
    const request = frame(
      header(ApiKeys.Produce, 11, 8),
      compactString("tx-1"),
      int16(-1),
      int32(5000),
      uvarint(2),
      compactString("out"),
      uvarint(2),
      int32(1),
      uvarint(batch.length + 1),
      batch,
      noTags,
      noTags,
      noTags,
    );
    expect(parseRequest(request)).toMatchObject({
      transactionalId: "tx-1",
      producerId: 7n,
      producerEpoch: 2,
      partitions: ["out:1"],
      records: [4],
    });
  });

  it("reads only the header of other APIs (non-flexible header: no tagged fields)", () => {
    const request = frame(header(ApiKeys.Metadata, 8, 2, false), int32(-1));
    expect(parseRequest(request)).toEqual({
      apiKey: 3,
      apiName: "Metadata",
      apiVersion: 8,
      correlationId: 2,
      clientId: "stage-1",
    });
  });
});

describe("parseResponse", () => {
  it("names EndTxn's error", () => {
    const response = frame(int32(17), noTags, int32(0), int16(47), noTags);
    expect(parseResponse(response, ApiKeys.EndTxn, 4)).toEqual({
      correlationId: 17,
      errors: ["INVALID_PRODUCER_EPOCH"],
    });
  });

  it("reads the producer id and epoch InitProducerId hands out", () => {
    const response = frame(int32(3), noTags, int32(0), int16(0), int64(7n), int16(1), noTags);
    expect(parseResponse(response, ApiKeys.InitProducerId, 5)).toEqual({
      correlationId: 3,
      errors: [],
      producerId: 7n,
      producerEpoch: 1,
    });
  });

  it("collects Produce's per-partition errors and base offsets", () => {
    const partition = (index: number, code: number, offset: bigint) =>
      Buffer.concat([
        int32(index),
        int16(code),
        int64(offset),
        int64(-1n),
        int64(0n),
        uvarint(1),
        uvarint(0),
        noTags,
      ]);
    const response = frame(
      int32(8),
      noTags,
      uvarint(2),
      compactString("out"),
      uvarint(3),
      partition(0, 0, 12n),
      partition(1, 48, -1n),
      noTags,
      int32(0),
      noTags,
    );
    expect(parseResponse(response, ApiKeys.Produce, 11)).toEqual({
      correlationId: 8,
      errors: ["INVALID_TXN_STATE"],
      baseOffsets: [12n, -1n],
    });
  });
});
