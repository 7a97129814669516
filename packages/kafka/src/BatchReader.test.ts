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

describe("BatchReader", () => {
  it("returns a full batch as soon as it is there", async () => {
    const stream = new FakeStream();
    const batches = reader(stream);
    for (let i = 0; i < 5; i++) stream.emit("data", i);
    const started = Date.now();
    expect(await batches.next(3, 5_000)).toEqual([0, 1, 2]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await batches.next(3, 20)).toEqual([3, 4]);
  });

  it("returns what arrived within the wait, or nothing", async () => {
    const stream = new FakeStream();
    const batches = reader(stream);
    expect(await batches.next(3, 20)).toEqual([]);
    setTimeout(() => stream.emit("data", "late"), 5);
    expect(await batches.next(3, 50)).toEqual(["late"]);
  });

  it("pauses the stream above the high-water mark and resumes when drained", async () => {
    const stream = new FakeStream();
    const batches = reader(stream, 4);
    for (let i = 0; i < 4; i++) stream.emit("data", i);
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
});
