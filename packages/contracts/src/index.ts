export type * from "./avro/index.ts";
export * from "./http/index.ts";
