// The gateway's produce and registry counters, counted by the services that produce and encode.
import { isFencedOrFatal } from "@ledgerline/kafka";
import { metrics } from "@ledgerline/observability";
import { RegistryError } from "@ledgerline/schema-registry";

/** Records acknowledged by the broker in one produce call. */
export const countProduced = (records: number): void => {
  metrics.recordsProduced.inc({ stage: "gateway", topic: "requested" }, records);
  metrics.batchSize.observe({ stage: "gateway" }, records);
};

export const countProduceError = (error: unknown): void => {
  metrics.dependencyErrors.inc({
    dependency: "broker",
    kind: isFencedOrFatal(error) ? "FATAL" : "SEND_FAILED",
  });
};

/** Counts a registry failure; returns undefined so the caller builds its own error. */
export const countRegistryError = (error: unknown): undefined => {
  metrics.dependencyErrors.inc({
    dependency: "registry",
    kind: error instanceof RegistryError ? error.reason : "UNKNOWN",
  });
  return undefined;
};
