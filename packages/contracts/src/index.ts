export type * from "./avro/index.ts";
