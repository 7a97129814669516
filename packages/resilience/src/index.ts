export * from "./backoff.ts";
export * from "./classifyFault.ts";
export * from "./reportFault.ts";
export * from "./retryPolicy.ts";
export * from "./retryTransient.ts";
export * from "./runStage.ts";
export * from "./StageFault.ts";
export * from "./sessionLoop.ts";
