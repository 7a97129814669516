// The pipeline's objectives as ops/prometheus/alerts.yml alerts on them: the console's verdicts read their
// thresholds from here and nowhere else, and thresholds.test.ts fails when the alert rules say otherwise.

export const OBJECTIVES = {
  acceptToPosted: {
    alert: "LedgerlineAcceptToPostedSlow",
    /** 99% of accepted transactions posted within this many seconds, over the last `windowSeconds`. */
    quantile: 0.99,
    maxSeconds: 1,
    windowSeconds: 300,
  },
  consumerLag: {
    alert: "LedgerlineConsumerLagGrowing",
    /** Lag over this many records is a breach only while it also grows over `windowSeconds`. */
    maxRecords: 1000,
    windowSeconds: 600,
  },
  deadLetters: {
    alert: "LedgerlineDeadLetters",
    /** Any record dead-lettered within `windowSeconds` needs a decision. */
    maxRecords: 0,
    windowSeconds: 600,
  },
  outboxAge: {
    alert: "LedgerlineOutboxStale",
    maxSeconds: 60,
  },
  outboxParked: {
    alert: "LedgerlineOutboxParked",
    maxEvents: 0,
  },
  partitionBlocked: {
    alert: "LedgerlinePartitionBlocked",
  },
  stageReady: {
    alert: "LedgerlineStageNotReady",
  },
  postgres: {
    alert: "LedgerlinePostgresUnreachable",
  },
  registry: {
    alert: "LedgerlineRegistryUnreachable",
  },
} as const;

export type ObjectiveId = keyof typeof OBJECTIVES;
