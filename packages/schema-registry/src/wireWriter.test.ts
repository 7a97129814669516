import { loadSchema, type TopicId, topics } from "@ledgerline/catalogue";
import type avro from "avsc";
import { describe, expect, it } from "vitest";
import { samples } from "../test/samples.ts";
import { avroType } from "./avroTypes.ts";
import { WireWriter } from "./wireWriter.ts";

// The framing WireWriter replaced: toBuffer, then a second buffer with the header prepended.
const reference = (type: avro.Type, schemaId: number, value: unknown): Buffer => {
  const payload = type.toBuffer(value);
  const framed = Buffer.allocUnsafe(5 + payload.length);
  framed[0] = 0;
  framed.writeUInt32BE(schemaId, 1);
  payload.copy(framed, 5);
  return framed;
};

const typeOf = (id: TopicId) => avroType(loadSchema(id).schema as avro.Schema);

describe("WireWriter", () => {
  it.each(Object.keys(topics) as TopicId[])("frames %s exactly as toBuffer + header did", (id) => {
    const writer = new WireWriter();
    for (const schemaId of [0, 1, 4242, 0xffffffff]) {
      expect(writer.frame(typeOf(id), schemaId, samples[id])).toEqual(
        reference(typeOf(id), schemaId, samples[id]),
      );
    }
  });

  it("grows its scratch buffer for a value larger than it, and every result keeps its own bytes", () => {
    const type = typeOf("requested");
    const writer = new WireWriter(16);
    const small = samples.requested;
    const large = { ...small, metadata: { note: "x".repeat(10_000), other: "é".repeat(3_000) } };
    const first = writer.frame(type, 7, small);
    const second = writer.frame(type, 8, large);
    const third = writer.frame(type, 9, small);
    expect(first).toEqual(reference(type, 7, small));
    expect(second).toEqual(reference(type, 8, large));
    expect(third).toEqual(reference(type, 9, small));
    expect(type.fromBuffer(second.subarray(5))).toEqual(large);
  });

  it("rejects an invalid value as toBuffer does", () => {
    const type = typeOf("requested");
    const bad = { ...samples.requested, amount_minor: "not a long" };
    expect(() => reference(type, 1, bad)).toThrow();
    expect(() => new WireWriter().frame(type, 1, bad)).toThrow();
  });
});
