export * from "./currencies.ts";
export * from "./money.ts";
export * from "./payloadHash.ts";
