export * from "./database.ts";
export * from "./environment.ts";
export * from "./ledgerInvariants.ts";
export * from "./namespace.ts";
export * from "./pipeline.ts";
export * from "./throwaway/ThrowawayBroker.ts";
export * from "./throwaway/ThrowawayPostgres.ts";
export * from "./throwaway/ThrowawayRegistry.ts";
