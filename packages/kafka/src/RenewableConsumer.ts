// A consumer that the retry policy can renew, written once for the exactly-once runner and the ledger
// sink. Its own 'error' event (a rejoin that failed, which leaves it without heartbeats) would otherwise
// end the process: it fails the reader of the current session instead, and the consumer is renewed
// before the next session, whatever the fault's policy says.
import type { Renewal } from "@ledgerline/resilience";
import type { BatchReader } from "./BatchReader.ts";
import type { RecordConsumer } from "./clients.ts";

export interface RenewableConsumerOptions {
  /** A new consumer (with whatever listeners its owner wants on it). */
  readonly create: () => RecordConsumer;
  /** Called on a consumer being replaced or closed, before it is closed. */
  readonly retire?: (consumer: RecordConsumer) => void;
}

/** Closing talks to the broker (leave group, end transactions): bounded, and its failure is irrelevant. */
export const closeWithin = async (closing: readonly Promise<unknown>[], ms = 5_000): Promise<void> => {
  await Promise.race([
    Promise.allSettled(closing),
    new Promise((resolve) => setTimeout(resolve, ms).unref()),
  ]);
};

export class RenewableConsumer {
  #current: RecordConsumer;
  /** The current consumer failed on its own (outside any call of ours). */
  #fault: unknown;
  #reader: BatchReader | undefined;
  readonly #options: RenewableConsumerOptions;

  constructor(options: RenewableConsumerOptions) {
    this.#options = options;
    this.#current = this.#create();
  }

  #create(): RecordConsumer {
    const consumer = this.#options.create();
    this.#fault = undefined;
    consumer.on("error", (error: unknown) => {
      if (this.#current !== consumer) return;
      this.#fault = error;
      this.#reader?.fail(error);
    });
    return consumer;
  }

  get current(): RecordConsumer {
    return this.#current;
  }

  /** Whether `consumer` is still the current one (events of a replaced consumer are stale). */
  isCurrent(consumer: RecordConsumer): boolean {
    return this.#current === consumer;
  }

  /** The reader the current consumer's own failure ends (undefined: none, the session is over). */
  readWith(reader: BatchReader | undefined): void {
    this.#reader = reader;
  }

  /** Replaces the consumer when `renewals` names it or it failed on its own; waits (bounded) for the old one to close. */
  async renew(renewals: readonly Renewal[]): Promise<void> {
    if (!renewals.includes("consumer") && this.#fault === undefined) return;
    const old = this.#current;
    this.#current = this.#create();
    this.#options.retire?.(old);
    await closeWithin([old.close(true)]);
  }

  async close(): Promise<void> {
    this.#options.retire?.(this.#current);
    await this.#current.close(true).catch(() => undefined);
  }
}
