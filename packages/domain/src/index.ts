export * from "./currencies.ts";
export * from "./money.ts";
export * from "./payloadHash.ts";
export * from "./transactionIds.ts";
export * from "./transactionKinds.ts";
