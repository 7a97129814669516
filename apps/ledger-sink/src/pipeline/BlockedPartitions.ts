// Partitions not read until an operator decides (resumePlan.ts): a gauge per partition, and an error line
// naming the command that unblocks it, at most once per partition every 30 seconds. What was reported
// last lives here, across sessions, so the gauge is cleared when a partition is unblocked.
import { metrics } from "@ledgerline/observability";
import { LogThrottle } from "@ledgerline/resilience";
import { Effect } from "effect";
import { type BlockedPartition, blockedKey } from "../resumePlan.ts";
import { type SinkContext, topicLabel } from "./context.ts";

const throttle = new LogThrottle(30_000);

const fixFor = (b: BlockedPartition): string =>
  b.reason === "RetentionGap"
    ? `ledgerline sink skip-gap --topic ${b.topic} --partition ${b.partition} --reason "..."`
    : `ledgerline sink accept-topic --topic ${b.topic} --reason "..."`;

export class BlockedPartitions {
  #before: ReadonlySet<string> = new Set();

  /** Reports `blocked`; returns their "topic:partition" keys (records of these are not applied). */
  report(context: SinkContext, blocked: readonly BlockedPartition[]): Effect.Effect<ReadonlySet<string>> {
    return Effect.gen({ self: this }, function* () {
      if (this.#before.size > 0 || blocked.length > 0) metrics.sinkPartitionBlocked.reset();
      for (const b of blocked) {
        metrics.sinkPartitionBlocked.set(
          { topic: topicLabel(context, b.topic), partition: String(b.partition), reason: b.reason },
          1,
        );
        if (throttle.admit(blockedKey(b.topic, b.partition)).log) {
          yield* Effect.logError(`partition not read until an operator decides: ${b.detail}`).pipe(
            Effect.annotateLogs({
              topic: b.topic,
              partition: b.partition,
              reason: b.reason,
              fix: fixFor(b),
            }),
          );
        }
      }
      const keys = new Set(blocked.map((b) => blockedKey(b.topic, b.partition)));
      this.#before = keys;
      return keys;
    });
  }
}
