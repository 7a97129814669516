// Turns a consumer stream into batches: up to `maxRecords`, or whatever arrived within `maxWaitMs`.
//
// A record the stream delivers again (an offset below the next one it delivered for that partition) is
// dropped. The client's stream does deliver records again: on every group join it goes back to the
// committed offsets read without require_stable, which may lag what it delivered while a transaction of
// ours commits them; a static member's rejoin keeps the generation, so the stable-start check (once per
// partition and generation) would not look again. A fetch response is also filtered only against the
// offset its own request asked for. Dropping is safe: every record handed out is committed or its session
// ends, and a new session reads again from the committed offsets with a new reader.
import type { Message, MessagesStream } from "@platformatic/kafka";
import { Schema } from "effect";

export type ConsumedRecord = Message<string, Buffer, string, Buffer>;

/** The consumer stream ended under a reader: the session reading from it is over (classifyFault: StreamClosed). */
export class StreamClosedError extends Schema.TaggedError<StreamClosedError>()("StreamClosedError", {
  message: Schema.String,
}) {}

export class BatchReader {
  readonly #stream: MessagesStream<string, Buffer, string, Buffer>;
  readonly #highWater: number;
  #buffer: ConsumedRecord[] = [];
  #error: Error | undefined;
  #ended = false;
  #paused = false;
  #wake: (() => void) | undefined;
  /** Per topic, per partition: the offset after the last record taken from the stream. */
  readonly #next = new Map<string, bigint[]>();
  #redelivered = 0;
  #lastRedelivered: string | undefined;

  constructor(stream: MessagesStream<string, Buffer, string, Buffer>, highWater: number) {
    this.#stream = stream;
    this.#highWater = Math.max(1, highWater);
    stream.on("data", (record) => {
      let partitions = this.#next.get(record.topic);
      if (!partitions) {
        partitions = [];
        this.#next.set(record.topic, partitions);
      }
      const next = partitions[record.partition];
      if (next !== undefined && record.offset < next) {
        this.#redelivered++;
        this.#lastRedelivered = `${record.topic}:${record.partition}@${record.offset} (next ${next})`;
        return;
      }
      partitions[record.partition] = record.offset + 1n;
      this.#buffer.push(record);
      // Back-pressure: stop fetching while a few batches are already waiting.
      if (this.#buffer.length >= this.#highWater && !this.#paused) {
        this.#paused = true;
        stream.pause();
      }
      this.#notify();
    });
    stream.on("error", (error) => {
      this.#error = error;
      this.#notify();
    });
    stream.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
  }

  #notify() {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Fails the reader from outside (its consumer lost the group): `next` rejects with `error`. */
  fail(error: unknown): void {
    this.#error ??= error instanceof Error ? error : new Error(String(error));
    this.#notify();
  }

  /** The next batch; empty when nothing arrived within `maxWaitMs`. Rejects when the stream failed or closed. */
  async next(maxRecords: number, maxWaitMs: number): Promise<ConsumedRecord[]> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      if (this.#error) throw this.#error;
      if (this.#buffer.length >= maxRecords) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      if (this.#ended) throw new StreamClosedError({ message: "consumer stream closed" });
      await this.#waitFor(left);
    }
    const batch = this.#buffer.splice(0, maxRecords);
    if (this.#paused && this.#buffer.length < this.#highWater / 2) {
      this.#paused = false;
      this.#stream.resume();
    }
    return batch;
  }

  /** Records the stream delivered again, dropped (see the top of this file). */
  get redelivered(): number {
    return this.#redelivered;
  }

  /** The last record dropped as delivered again, as "topic:partition@offset (next n)". */
  get lastRedelivered(): string | undefined {
    return this.#lastRedelivered;
  }

  /** Records fetched but not yet handed out (they will be re-read from committed offsets after a restart). */
  get buffered(): number {
    return this.#buffer.length;
  }
}
