import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { BatchReader, StreamClosedError } from "./BatchReader.ts";

class FakeStream extends EventEmitter {
  paused = false;
  pause() {
    this.paused = true;
    return this;
  }
  resume() {
    this.paused = false;
    return this;
  }
}

const reader = (stream: FakeStream, highWater = 10) => new BatchReader(stream as never, highWater);
/** A record as the stream emits it; the reader reads its topic, partition and offset. */
const record = (offset: number, partition = 0) => ({ topic: "t", partition, offset: BigInt(offset) });
const offsets = (records: readonly unknown[]) =>
  (records as { partition: number; offset: bigint }[]).map((r) => `${r.partition}@${r.offset}`);

describe("BatchReader", () => {
  it("returns a full batch as soon as it is there", async () => {
    const stream = new FakeStream();
    const batches = reader(stream);
    for (let i = 0; i < 5; i++) stream.emit("data", record(i));
    const started = Date.now();
    expect(offsets(await batches.next(3, 5_000))).toEqual(["0@0", "0@1", "0@2"]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(offsets(await batches.next(3, 20))).toEqual(["0@3", "0@4"]);
  });

  it("returns what arrived within the wait, or nothing", async () => {
    const stream = new FakeStream();
    const batches = reader(stream);
    expect(await batches.next(3, 20)).toEqual([]);
    setTimeout(() => stream.emit("data", record(7)), 5);
    expect(offsets(await batches.next(3, 50))).toEqual(["0@7"]);
  });

  it("pauses the stream above the high-water mark and resumes when drained", async () => {
    const stream = new FakeStream();
    const batches = reader(stream, 4);
    for (let i = 0; i < 4; i++) stream.emit("data", record(i));
    expect(stream.paused).toBe(true);
    await batches.next(4, 10);
    expect(stream.paused).toBe(false);
  });

  it("surfaces stream errors and closes", async () => {
    const failing = new FakeStream();
    const failingBatches = reader(failing);
    setTimeout(() => failing.emit("error", new Error("broker gone")), 5);
    await expect(failingBatches.next(3, 1_000)).rejects.toThrow("broker gone");
    const closing = new FakeStream();
    const closingBatches = reader(closing);
    setTimeout(() => closing.emit("close"), 5);
    await expect(closingBatches.next(3, 1_000)).rejects.toBeInstanceOf(StreamClosedError);
  });

  it("drops a record the stream delivers again, per partition, and counts it", async () => {
    const stream = new FakeStream();
    const batches = reader(stream);
    // Two fetch responses for partition 0 from the same position (a late one from an old leader), the
    // second overlapping the first; partition 1 goes on in between, and a later offset after a gap passes.
    for (const r of [record(10), record(11), record(5, 1), record(10), record(11), record(12), record(6, 1)])
      stream.emit("data", r);
    stream.emit("data", record(20));
    expect(offsets(await batches.next(10, 20))).toEqual(["0@10", "0@11", "1@5", "0@12", "1@6", "0@20"]);
    expect(batches.redelivered).toBe(2);
    expect(batches.lastRedelivered).toBe("t:0@11 (next 12)");
  });
});
