// Coalesces concurrent produce requests into batched produce calls: a short linger window and a
// max batch size, so thousands of requests per second are not thousands of broker round trips.
// A submit resolves only when the broker acknowledged the batch that carried its record.

export interface OutgoingRecord {
  readonly key: string;
  readonly value: Buffer;
  /** Record headers (the W3C traceparent when tracing is on). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

export interface BatcherOptions {
  readonly lingerMs: number;
  readonly maxBatch: number;
  /** Records queued or being sent; beyond it submits fail at once (back-pressure). */
  readonly maxInFlight: number;
  readonly maxConcurrentSends: number;
  /** A record not acked within this fails its submit (it may still land: ids make that harmless). */
  readonly ackTimeoutMs: number;
}

export type BatcherFailure = "BUFFER_FULL" | "ACK_TIMEOUT" | "SEND_FAILED" | "CLOSED";

export class BatcherError extends Error {
  override readonly name = "BatcherError";
  readonly reason: BatcherFailure;
  constructor(reason: BatcherFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

interface Pending {
  readonly record: OutgoingRecord;
  readonly resolve: () => void;
  readonly reject: (error: BatcherError) => void;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class ProduceBatcher {
  readonly #send: (records: OutgoingRecord[]) => Promise<void>;
  readonly #options: BatcherOptions;
  #queue: Pending[] = [];
  #sending = 0;
  #sendingRecords = 0;
  #linger: NodeJS.Timeout | undefined;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(send: (records: OutgoingRecord[]) => Promise<void>, options: BatcherOptions) {
    this.#send = send;
    this.#options = options;
  }

  /** Records accepted by submit and not yet settled. */
  get inFlight(): number {
    return this.#queue.length + this.#sendingRecords;
  }

  submit(record: OutgoingRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new BatcherError("CLOSED", "gateway is shutting down"));
    if (this.inFlight >= this.#options.maxInFlight) {
      return Promise.reject(
        new BatcherError("BUFFER_FULL", `${this.inFlight} records already waiting for the broker`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { record, resolve, reject, settled: false, timer: undefined };
      pending.timer = setTimeout(() => {
        // Still queued: drop it so it is never produced. Already sending: it may land; the id dedups.
        const index = this.#queue.indexOf(pending);
        if (index >= 0) this.#queue.splice(index, 1);
        this.#settle(
          pending,
          new BatcherError(
            "ACK_TIMEOUT",
            `broker did not acknowledge within ${this.#options.ackTimeoutMs} ms`,
          ),
        );
        this.#notifyIdle();
      }, this.#options.ackTimeoutMs);
      this.#queue.push(pending);
      this.#schedule();
    });
  }

  #settle(pending: Pending, error?: BatcherError) {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve();
  }

  #schedule() {
    if (this.#sending >= this.#options.maxConcurrentSends) return; // a finishing send re-schedules
    if (this.#queue.length >= this.#options.maxBatch || this.#options.lingerMs <= 0 || this.#closed) {
      this.#flushOne();
    } else if (!this.#linger && this.#queue.length > 0) {
      this.#linger = setTimeout(() => {
        this.#linger = undefined;
        this.#flushOne();
      }, this.#options.lingerMs);
    }
  }

  #flushOne() {
    if (this.#linger) {
      clearTimeout(this.#linger);
      this.#linger = undefined;
    }
    if (this.#queue.length === 0 || this.#sending >= this.#options.maxConcurrentSends) return;
    const batch = this.#queue.splice(0, this.#options.maxBatch);
    this.#sending++;
    this.#sendingRecords += batch.length;
    this.#send(batch.map((pending) => pending.record))
      .then(
        () => {
          for (const pending of batch) this.#settle(pending);
        },
        (error: unknown) => {
          const failure = new BatcherError("SEND_FAILED", (error as Error)?.message ?? String(error), {
            cause: error,
          });
          for (const pending of batch) this.#settle(pending, failure);
        },
      )
      .finally(() => {
        this.#sending--;
        this.#sendingRecords -= batch.length;
        this.#schedule();
        this.#notifyIdle();
      });
    // Records left over: start the next send (full batch) or linger (partial), up to the concurrency limit.
    if (this.#queue.length > 0) this.#schedule();
  }

  #notifyIdle() {
    if (this.inFlight > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Stops accepting and waits until every submitted record is settled (acked or failed). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#flushOne();
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }
}
