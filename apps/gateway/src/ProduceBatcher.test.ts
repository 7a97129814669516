import { describe, expect, it } from "vitest";
import { BatcherError, type OutgoingRecord, ProduceBatcher } from "./ProduceBatcher.ts";

const record = (i: number): OutgoingRecord => ({ key: `k${i}`, value: Buffer.from(String(i)) });
const options = { lingerMs: 5, maxBatch: 10, maxInFlight: 100, maxConcurrentSends: 1, ackTimeoutMs: 1_000 };

describe("ProduceBatcher", () => {
  it("coalesces concurrent submits into few sends and resolves each after its send", async () => {
    const sends: number[] = [];
    const batcher = new ProduceBatcher(async (records) => {
      sends.push(records.length);
    }, options);
    await Promise.all(Array.from({ length: 25 }, (_, i) => batcher.submit(record(i))));
    expect(sends.reduce((a, b) => a + b, 0)).toBe(25);
    expect(sends.length).toBeLessThanOrEqual(4);
    expect(Math.max(...sends)).toBeLessThanOrEqual(10);
  });

  it("fails fast when the buffer is full, and times out unacked records", async () => {
    const batcher = new ProduceBatcher(() => new Promise(() => undefined), {
      ...options,
      maxInFlight: 3,
      ackTimeoutMs: 50,
    });
    const pending = [1, 2, 3].map((i) => batcher.submit(record(i)).catch((e: BatcherError) => e.reason));
    await expect(batcher.submit(record(4))).rejects.toMatchObject({ reason: "BUFFER_FULL" });
    expect(await Promise.all(pending)).toEqual(["ACK_TIMEOUT", "ACK_TIMEOUT", "ACK_TIMEOUT"]);
  });

  it("fails every record of a failed send", async () => {
    const batcher = new ProduceBatcher(async () => {
      throw new Error("broker down");
    }, options);
    await expect(batcher.submit(record(1))).rejects.toBeInstanceOf(BatcherError);
  });

  it("with linger 0, coalesces what arrives in one event-loop turn without a timer", async () => {
    const sends: number[] = [];
    const batcher = new ProduceBatcher(
      async (records) => {
        sends.push(records.length);
      },
      { ...options, lingerMs: 0 },
    );
    await Promise.all(Array.from({ length: 25 }, (_, i) => batcher.submit(record(i))));
    expect(sends).toEqual([10, 10, 5]);
  });

  it("a send that never settles holds its slot only until its records timed out", async () => {
    const sent: string[] = [];
    const batcher = new ProduceBatcher(
      async (records) => {
        sent.push(...records.map((r) => r.key));
        if (records.some((r) => r.key === "k1")) await new Promise(() => undefined); // a hung broker
      },
      { ...options, lingerMs: 0, maxConcurrentSends: 1, ackTimeoutMs: 50 },
    );
    const first = batcher.submit(record(1)).catch((e: BatcherError) => e.reason);
    expect(await first).toBe("ACK_TIMEOUT");
    // The one slot is free again: the next record is sent and acknowledged.
    await batcher.submit(record(2));
    expect(sent).toEqual(["k1", "k2"]);
  });

  it("holds the records of a send that failed retryably, sends them again and resolves them once acked", async () => {
    let attempts = 0;
    const batcher = new ProduceBatcher(
      async () => {
        attempts += 1;
        if (attempts <= 3) throw new Error("NOT_LEADER_OR_FOLLOWER");
      },
      { ...options, retryable: (error) => /NOT_LEADER/.test(String(error)), retryDelayMs: 10 },
    );
    await batcher.submit(record(1));
    expect(attempts).toBe(4);
    await batcher.close();
    expect(batcher.inFlight).toBe(0);
  });

  it("fails at once what no retry can fix, and at the deadline what keeps failing", async () => {
    const refused = new ProduceBatcher(
      async () => {
        throw new Error("TOPIC_AUTHORIZATION_FAILED");
      },
      { ...options, retryable: () => false },
    );
    const started = performance.now();
    await expect(refused.submit(record(1))).rejects.toMatchObject({ reason: "SEND_FAILED" });
    expect(performance.now() - started).toBeLessThan(500);
    const away = new ProduceBatcher(
      async () => {
        throw new Error("broker down");
      },
      { ...options, ackTimeoutMs: 100, retryable: () => true, retryDelayMs: 10 },
    );
    await expect(away.submit(record(2))).rejects.toBeInstanceOf(BatcherError);
    await away.close();
    expect(away.inFlight).toBe(0);
  });

  it("never sends a queued record whose deadline passed", async () => {
    const sent: string[] = [];
    const batcher = new ProduceBatcher(
      (records) => {
        sent.push(...records.map((r) => r.key));
        return new Promise(() => undefined); // the broker never answers
      },
      { ...options, lingerMs: 0, ackTimeoutMs: 50 },
    );
    const first = batcher.submit(record(1)).catch((e: BatcherError) => e.reason);
    await new Promise((resolve) => setImmediate(resolve)); // record 1 is now being sent
    const second = batcher.submit(record(2)).catch((e: BatcherError) => e.reason);
    expect(await Promise.all([first, second])).toEqual(["ACK_TIMEOUT", "ACK_TIMEOUT"]);
    expect(sent).toEqual(["k1"]);
  });
});
