export * from "./domain/decide.ts";
export * from "./domain/enrich.ts";
export * from "./domain/fx.ts";
export * from "./domain/merchants.ts";
export * from "./domain/validate.ts";
export * from "./Pipeline.ts";
export * from "./publishFxRates.ts";
