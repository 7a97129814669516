export * from "./BatchReader.ts";
export * from "./clients.ts";
export * from "./DeadLetter.ts";
export * from "./exactlyOnce/runExactlyOnce.ts";
export * from "./exactlyOnce/types.ts";
export * from "./kafkaErrors.ts";
export * from "./RecordFailure.ts";
export * from "./RunnerObserver.ts";
