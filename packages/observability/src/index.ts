export * from "./health.ts";
export * from "./logging.ts";
export * from "./messagingSpans.ts";
export * from "./metrics.ts";
export * from "./metricsRunner.ts";
export * from "./metricsText.ts";
export * from "./opsServer.ts";
export * from "./tracing.ts";
