export * from "./logging.ts";
export * from "./metrics.ts";
export * from "./metricsLag.ts";
export * from "./metricsRunner.ts";
export * from "./metricsServer.ts";
export * from "./metricsText.ts";
export * from "./tracing.ts";
