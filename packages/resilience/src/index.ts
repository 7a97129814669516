export * from "./backoff.ts";
export * from "./classifyFault.ts";
export * from "./networkError.ts";
export * from "./reportFault.ts";
export * from "./retryPolicy.ts";
export * from "./retryTransient.ts";
export * from "./runService.ts";
export * from "./StageFault.ts";
