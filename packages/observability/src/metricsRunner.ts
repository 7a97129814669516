// Prometheus counters for a consume-transform-produce stage (the RunnerObserver of @ledgerline/kafka,
// typed structurally so this package does not depend on the Kafka one). Work is per batch: one pass
// over the batch counting records per topic, no per-record allocation.
import { metrics } from "./metrics.ts";

const countByTopic = (records: readonly { readonly topic: string }[]) => {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.topic, (counts.get(record.topic) ?? 0) + 1);
  return counts;
};

/** `topicLabel` maps a physical topic to a bounded label (the logical topic id, namespace stripped). */
export const runnerMetrics = (stage: string, topicLabel: (topic: string) => string) => ({
  batchCommitted(
    batch: readonly { readonly topic: string }[],
    outputs: readonly { readonly topic: string }[],
    deadLetterReasons: readonly string[],
    transactionSeconds: number,
  ) {
    for (const [topic, n] of countByTopic(batch))
      metrics.recordsConsumed.inc({ stage, topic: topicLabel(topic) }, n);
    for (const [topic, n] of countByTopic(outputs))
      metrics.recordsProduced.inc({ stage, topic: topicLabel(topic) }, n);
    for (const reason of deadLetterReasons) metrics.deadLetters.inc({ stage, reason });
    metrics.batchSize.observe({ stage }, batch.length);
    metrics.kafkaTransactions.inc({ stage, outcome: "committed" });
    metrics.kafkaTransactionDuration.observe({ stage, outcome: "committed" }, transactionSeconds);
  },
  transactionAborted(transactionSeconds: number) {
    metrics.kafkaTransactions.inc({ stage, outcome: "aborted" });
    metrics.kafkaTransactionDuration.observe({ stage, outcome: "aborted" }, transactionSeconds);
  },
  retry(reason: string) {
    metrics.retries.inc({ stage, reason });
    if (reason.startsWith("REGISTRY") || reason === "ENCODER_UNAVAILABLE")
      metrics.dependencyErrors.inc({ dependency: "registry", kind: reason });
  },
});
