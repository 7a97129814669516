// Hooks the exactly-once runner calls per batch (never per record) so an app can count what happened —
// metrics stay out of this package; the processor wires these to Prometheus.
import type { ConsumedRecord } from "./BatchReader.ts";

export interface RunnerObserver {
  /** A batch's transaction committed: its input records, output messages and dead-letter reason codes. */
  batchCommitted(
    batch: readonly ConsumedRecord[],
    outputs: readonly { readonly topic: string }[],
    deadLetterReasons: readonly string[],
    transactionSeconds: number,
  ): void;
  /** The batch's transaction (or at-least-once send + commit) failed and was aborted. */
  transactionAborted(transactionSeconds: number): void;
  /** A transient failure of one record is being retried. */
  retry(reason: string): void;
}
