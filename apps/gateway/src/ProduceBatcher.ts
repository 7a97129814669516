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
  /**
   * Whether a failed send is worth another try (the broker is away, leadership is moving): its records
   * are then sent again after `retryDelayMs`, until their ack deadline. Others fail at once.
   */
  readonly retryable?: (error: unknown) => boolean;
  readonly retryDelayMs?: number;
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
  /** performance.now() after which the submit fails with ACK_TIMEOUT. */
  readonly deadline: number;
  settled: boolean;
}

export class ProduceBatcher {
  readonly #send: (records: OutgoingRecord[]) => Promise<void>;
  readonly #options: BatcherOptions;
  /** Waiting to be sent, in submission order (so also in deadline order). */
  #queue: Pending[] = [];
  readonly #sendingBatches = new Set<Pending[]>();
  #sendingRecords = 0;
  /** Records of failed sends waiting out the retry delay before they rejoin the front of the queue. */
  readonly #retrying = new Set<Pending[]>();
  #retryingRecords = 0;
  #linger: NodeJS.Timeout | NodeJS.Immediate | undefined;
  // One sweep timer for every ack deadline: a timer per request costs more than the request's produce.
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(send: (records: OutgoingRecord[]) => Promise<void>, options: BatcherOptions) {
    this.#send = send;
    this.#options = options;
  }

  /** Records accepted by submit and not yet settled. */
  get inFlight(): number {
    return this.#queue.length + this.#sendingRecords + this.#retryingRecords;
  }

  submit(record: OutgoingRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new BatcherError("CLOSED", "gateway is shutting down"));
    if (this.inFlight >= this.#options.maxInFlight) {
      return Promise.reject(
        new BatcherError("BUFFER_FULL", `${this.inFlight} records already waiting for the broker`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const deadline = performance.now() + this.#options.ackTimeoutMs;
      this.#queue.push({ record, resolve, reject, deadline, settled: false });
      this.#armSweeper();
      this.#schedule();
    });
  }

  #settle(pending: Pending, error?: BatcherError) {
    if (pending.settled) return;
    pending.settled = true;
    if (error) pending.reject(error);
    else pending.resolve();
  }

  #armSweeper() {
    if (this.#sweeper) return;
    const period = Math.max(5, Math.min(100, this.#options.ackTimeoutMs / 4));
    this.#sweeper = setTimeout(() => {
      this.#sweeper = undefined;
      this.#sweep();
      if (this.inFlight > 0) this.#armSweeper();
    }, period);
  }

  /** Fails every record past its deadline: queued ones are dropped (never produced), sending ones may still land (the id dedups). */
  #sweep() {
    const now = performance.now();
    const timeout = () =>
      new BatcherError("ACK_TIMEOUT", `broker did not acknowledge within ${this.#options.ackTimeoutMs} ms`);
    let expired = 0;
    while (expired < this.#queue.length && (this.#queue[expired] as Pending).deadline <= now) expired++;
    if (expired > 0) for (const pending of this.#queue.splice(0, expired)) this.#settle(pending, timeout());
    for (const batch of this.#retrying)
      for (const pending of batch) if (pending.deadline <= now) this.#settle(pending, timeout());
    let released = false;
    for (const batch of this.#sendingBatches) {
      if ((batch[0] as Pending).deadline > now) continue;
      for (const pending of batch) if (pending.deadline <= now) this.#settle(pending, timeout());
      // Every record of it has been answered: its send no longer holds a slot, so one that hangs (a broker
      // that never answers) cannot stop the records behind it from being sent.
      if (batch.every((pending) => pending.settled)) released = this.#release(batch) || released;
    }
    if (released) this.#schedule();
    this.#notifyIdle();
  }

  /** Stops counting a batch as being sent; false if it was not. */
  #release(batch: Pending[]): boolean {
    if (!this.#sendingBatches.delete(batch)) return false;
    this.#sendingRecords -= batch.length;
    return true;
  }

  #schedule() {
    if (this.#sendingBatches.size >= this.#options.maxConcurrentSends) return; // a finishing send re-schedules
    if (this.#queue.length >= this.#options.maxBatch || this.#closed) {
      this.#flushOne();
    } else if (!this.#linger && this.#queue.length > 0) {
      // Linger 0 still waits for the end of this event-loop turn (setImmediate runs after every ready
      // socket was read): requests that arrived together leave together, with no timer delay.
      this.#linger =
        this.#options.lingerMs > 0
          ? setTimeout(this.#lingerElapsed, this.#options.lingerMs)
          : setImmediate(this.#lingerElapsed);
    }
  }

  readonly #lingerElapsed = () => {
    this.#linger = undefined;
    this.#flushOne();
  };

  #flushOne() {
    if (this.#linger) {
      if ("hasRef" in this.#linger && "refresh" in this.#linger) clearTimeout(this.#linger);
      else clearImmediate(this.#linger);
      this.#linger = undefined;
    }
    if (this.#queue.length === 0 || this.#sendingBatches.size >= this.#options.maxConcurrentSends) return;
    const batch = this.#queue.splice(0, this.#options.maxBatch);
    this.#sendingBatches.add(batch);
    this.#sendingRecords += batch.length;
    this.#send(batch.map((pending) => pending.record))
      .then(
        () => {
          for (const pending of batch) this.#settle(pending);
        },
        (error: unknown) => {
          const retryDelayMs = this.#options.retryDelayMs ?? 250;
          const again = performance.now() + retryDelayMs;
          const retry = this.#options.retryable?.(error) ?? false;
          const failure = new BatcherError("SEND_FAILED", (error as Error)?.message ?? String(error), {
            cause: error,
          });
          const held: Pending[] = [];
          for (const pending of batch) {
            if (pending.settled) continue;
            if (retry && pending.deadline > again) held.push(pending);
            else this.#settle(pending, failure);
          }
          if (held.length > 0) this.#retryLater(held, retryDelayMs);
        },
      )
      .finally(() => {
        this.#release(batch);
        this.#schedule();
        this.#notifyIdle();
      });
    // Records left over: start the next send (full batch) or linger (partial), up to the concurrency limit.
    if (this.#queue.length > 0) this.#schedule();
  }

  /** Sends `held` again after the delay, ahead of newer records (their deadlines come first). */
  #retryLater(held: Pending[], delayMs: number) {
    this.#retrying.add(held);
    this.#retryingRecords += held.length;
    setTimeout(() => {
      this.#retrying.delete(held);
      this.#retryingRecords -= held.length;
      this.#queue.unshift(...held.filter((pending) => !pending.settled));
      this.#schedule();
      this.#notifyIdle();
    }, delayMs);
  }

  #notifyIdle() {
    if (this.inFlight > 0) return;
    if (this.#sweeper) {
      clearTimeout(this.#sweeper);
      this.#sweeper = undefined;
    }
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
